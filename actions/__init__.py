"""Rasa SDK actions of the citizen assistant (``rasa run actions --actions actions``)."""

from knowledge_base import log_masking

# The action server logs through the standard library: mask personal data in every record.
log_masking.install()
