"""`drorch servers` commands (talk to the API over HTTP)."""

from __future__ import annotations

import typer

app = typer.Typer(help="servers commands.", no_args_is_help=True)
