"""Rasa-side code: settings, custom NLU components, channels and tracker store."""
