"""The options of `drorch deploy` and its subcommands, declared once and shared."""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

R = TypeVar("R")

DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="Show the change set; change nothing.")
]
PackageOption = Annotated[Path | None, typer.Option("--package", help="A Lambda zip built before.")]
AdminEmailOption = Annotated[
    str | None, typer.Option("--admin-email", help="First admin (new environments).")
]
AlarmEmailOption = Annotated[
    str | None, typer.Option("--alarm-email", help="Subscribed to the alarms.")
]
CidrsOption = Annotated[
    str | None, typer.Option("--allowed-cidrs", help="Comma-separated API source ranges.")
]
RetentionOption = Annotated[int | None, typer.Option("--log-retention-days")]
WafOption = Annotated[bool | None, typer.Option("--waf/--no-waf", help="A WAF web ACL on the API.")]
MfaOption = Annotated[str | None, typer.Option("--mfa", help="OFF, OPTIONAL or ON.")]
LogLevelOption = Annotated[
    str | None, typer.Option("--log-level", help="The functions' DEBUG, INFO, WARNING...")
]
PasswordStdinOption = Annotated[
    bool,
    typer.Option("--admin-password-stdin", help="Read the admin's temporary password from stdin."),
]
SkipUiOption = Annotated[bool, typer.Option("--skip-ui", help="Roll out the stack only.")]
PythonOption = Annotated[
    Path | None,
    typer.Option("--python", help="Python 3.12 that compiles the package's bytecode."),
]

# The options every subcommand over an environment takes.
EnvOption = Annotated[str | None, typer.Option("--env", help="Environment name (dev, test, prod).")]
RegionOption = Annotated[
    str | None, typer.Option("--region", help="AWS Region (default: DRORCH_AWS_REGION).")
]
ProfileOption = Annotated[
    str | None, typer.Option("--profile", help="AWS profile (default: the credential chain).")
]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask; CI runs use this.")]
OutputOption = Annotated[
    list[str] | None,
    typer.Option(
        "--output",
        help="KEY=VALUE standing in for a stack output the stack does not report (repeatable).",
    ),
]
KeepOption = Annotated[
    int, typer.Option("--keep", min=1, help="Newest versions of each function to keep.")
]
WHERE = {"env": EnvOption, "region": RegionOption, "profile": ProfileOption}


def on_target(*, ui: bool = False) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """The command takes --env/--region/--profile and gets the `target` they name instead.

    `ui`: the target carries the UI build's directory (the commands that publish it).
    """

    def decorate(command: Callable[..., R]) -> Callable[..., R]:
        # `Target` is imported for type checking only (it pulls in boto3): any stands in.
        hints = typing.get_type_hints(command, localns={"Target": Any}, include_extras=True)
        own = inspect.signature(command).parameters
        keyword = inspect.Parameter.KEYWORD_ONLY  # Typer passes every option by name
        rest = [
            p.replace(annotation=hints[n], kind=keyword) for n, p in own.items() if n != "target"
        ]
        where = [
            inspect.Parameter(name, keyword, default=None, annotation=kind)
            for name, kind in WHERE.items()
        ]

        @functools.wraps(command)
        def run(*args: Any, **kwargs: Any) -> R:
            from drorch.cli.deploy_inputs import make_target, refusals

            env, region, profile = (kwargs.pop(name) for name in WHERE)
            with refusals():
                target = make_target(env, region, profile, ui=ui)
            return command(*args, target=target, **kwargs)

        # Typer reads the options from the signature and the type hints: show it the new ones.
        run.__signature__ = inspect.Signature([*where, *rest])  # type: ignore[attr-defined]
        run.__annotations__ = {**{p.name: p.annotation for p in rest}, **WHERE}
        return run

    return decorate
