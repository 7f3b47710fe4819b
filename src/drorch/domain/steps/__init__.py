"""Action step types: one module per type, each exposing `TYPE` (see base.py, registry.py)."""
