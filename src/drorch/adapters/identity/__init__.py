"""Identity sources: each turns a bearer token into a Principal (ports/identity.py)."""
