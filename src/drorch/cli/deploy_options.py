"""The options of `drorch deploy` that set the stack's parameters or change how it runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
