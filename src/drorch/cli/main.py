"""The `drorch` command: one module per command group."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from drorch import __version__
from drorch.cli import (
    accounts,
    audit,
    auth,
    backup,
    demo,
    deploy,
    doctor,
    executions,
    groups,
    notify,
    plans,
    sandbox,
    schedules,
    serve,
    servers,
    tokens,
    users,
    worker,
)
from drorch.cli import reports as exec_reports
from drorch.cli.output import print_error


class RootGroup(TyperGroup):
    """The root command, reporting Typer's own parsing errors as one stderr line."""

    # Typer vendors Click privately, so its context type is left as Any here.
    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        """Parse the root's own options (`drorch --bogus` fails here)."""
        with errors_on_one_line():
            return super().make_context(info_name, args, parent, **extra)

    def invoke(self, ctx: Any) -> Any:
        """Run a subcommand (its parsing and bad values fail here)."""
        with errors_on_one_line():
            return super().invoke(ctx)


@contextmanager
def errors_on_one_line() -> Iterator[None]:
    """Print a Typer error as `error: ...` on stderr and exit with its code (2 for usage)."""
    try:
        yield
    except typer.TyperException as exc:
        # Typer shows a bare group's help by raising this error; that must stay as it is.
        if type(exc).__name__ == "NoArgsIsHelpError":
            raise
        # Typer would draw a multi-line Rich box; our convention is one line to grep.
        print_error(error_line(exc))
        raise typer.Exit(exc.exit_code) from None


def error_line(exc: typer.TyperException) -> str:
    """The error's message on one line, pointing usage errors at the command's --help."""
    message = " ".join(exc.format_message().split())
    ctx = getattr(exc, "ctx", None)  # usage errors know the command they belong to
    if ctx is None or ctx.command.get_help_option(ctx) is None:
        return message
    return f"{message.rstrip('.')} (try '{ctx.command_path} {ctx.help_option_names[0]}')"


app = typer.Typer(
    name="drorch",
    cls=RootGroup,
    help="Disaster-recovery orchestrator for AWS Elastic Disaster Recovery.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"drorch {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_print_version, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Disaster-recovery orchestrator for AWS Elastic Disaster Recovery."""


serve.register(app)
sandbox.register(app)
app.add_typer(servers.app, name="servers")
app.add_typer(accounts.app, name="accounts")
app.add_typer(groups.app, name="groups")
app.add_typer(plans.app, name="plans")
exec_reports.register(executions.app)
app.add_typer(executions.app, name="exec")
app.add_typer(users.app, name="users")
app.add_typer(audit.app, name="audit")
worker.register(app)
demo.register(app)
backup.register(app)
doctor.register(app)
auth.register(app)
app.add_typer(tokens.app, name="tokens")
app.add_typer(notify.app, name="notify")
app.add_typer(schedules.app, name="schedules")
deploy.register(app)


def main() -> None:
    """Entry point of the console script."""
    app()
