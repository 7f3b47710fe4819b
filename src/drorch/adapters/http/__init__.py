"""Adapters that speak plain HTTP (the `http_check` action)."""
