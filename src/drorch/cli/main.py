"""The `drorch` command: one module per command group."""

from __future__ import annotations

import typer

from drorch.cli import demo, executions, groups, plans, sandbox, serve, servers, worker

app = typer.Typer(
    name="drorch",
    help="Disaster-recovery orchestrator for AWS Elastic Disaster Recovery.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
serve.register(app)
sandbox.register(app)
app.add_typer(servers.app, name="servers")
app.add_typer(groups.app, name="groups")
app.add_typer(plans.app, name="plans")
app.add_typer(executions.app, name="exec")
worker.register(app)
demo.register(app)


def main() -> None:
    """Entry point of the console script."""
    app()
