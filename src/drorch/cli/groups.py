"""`drorch groups` commands (talk to the API over HTTP)."""

from __future__ import annotations

import typer

app = typer.Typer(help="groups commands.", no_args_is_help=True)
