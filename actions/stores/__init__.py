"""The stores the action server writes: ratings, hand-off requests, application statuses (tables in tables.py)."""
