"""Command-line tools behind one entry point, ``python -m tools`` (see ``python -m tools --help``)."""
