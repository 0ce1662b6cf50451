"""Custom Rasa input channels: Telegram (python-telegram-bot) and Zalo Official Account."""
