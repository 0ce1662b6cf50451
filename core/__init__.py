"""What every process shares and nothing of ours is imported by: the conversation contract."""
