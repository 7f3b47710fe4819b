"""The drorch command line (Typer + Rich)."""
