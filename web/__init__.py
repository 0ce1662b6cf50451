"""The web server: the chat widget and its demo page, the review dashboard, the analytics event feed."""
