"""The review dashboard for the communications team (under /review/ on the web server)."""
