"""Custom Rasa NLU components for Vietnamese (registered with the default recipe)."""
