"""The composition root's parts: bootstrap.py calls them in order (one root, several files)."""
