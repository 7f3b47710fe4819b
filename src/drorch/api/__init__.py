"""The REST API (FastAPI): one folder per resource."""
