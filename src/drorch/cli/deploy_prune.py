"""`drorch deploy prune`: delete the old Lambda versions every deploy leaves behind."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from drorch.cli.deploy_inputs import refusals
from drorch.cli.deploy_options import KeepOption, YesOption, on_target
from drorch.cli.deploy_progress import Progress
from drorch.cli.output import (
    EXIT_REFUSED,
    EXIT_USAGE,
    JsonOption,
    console,
    fail,
    note,
    print_json,
    reports_errors,
)
from drorch.cli.output import table as output_table

if TYPE_CHECKING:
    from drorch.deploy.context import Target
    from drorch.deploy.prune import FunctionVersions, Plan

DEFAULT_KEEP = 3  # as drorch.deploy.prune.DEFAULT_KEEP (not imported: help stays fast)
DryRunOption = Annotated[
    bool, typer.Option("--dry-run", help="List what would be deleted; delete nothing.")
]


def register(app: typer.Typer) -> None:
    """Add `prune` to `drorch deploy`."""
    app.command("prune")(prune_command)


@reports_errors
@on_target()
def prune_command(
    target: Target,
    keep: KeepOption = DEFAULT_KEEP,
    dry_run: DryRunOption = False,
    yes: YesOption = False,
    as_json: JsonOption = False,
) -> None:
    """Delete old Lambda versions (no alias on them), keeping the newest --keep of each."""
    from drorch.deploy import prune

    with refusals():
        planned = prune.plan(target, keep=keep)
    doomed = planned.deletions()
    if dry_run or not doomed:
        _show(planned, as_json, status="dry-run" if dry_run else "nothing to prune")
        return
    if not as_json:
        console().print(_table(planned))
    if not _confirmed(len(doomed), yes):
        note("nothing deleted")
        raise typer.Exit(EXIT_REFUSED)
    with refusals(), Progress(yes=True, as_json=as_json) as progress:
        result = prune.apply(target, planned, progress)
    if as_json:
        print_json(result)
    else:
        note(f"{planned.stack}: deleted {result['deleted']} old Lambda versions")


def old_row(counts: dict[str, int]) -> str:
    """`deploy status`'s line: how many old versions there are, and what removes them."""
    total = sum(counts.values())
    if not total:
        return "none"
    return f"{total} (no alias on them: drorch deploy prune)"


def _show(planned: Plan, as_json: bool, *, status: str) -> None:
    if as_json:
        print_json({**planned.as_dict(), "status": status})
        return
    if planned.deletions():
        console().print(_table(planned))
    count = len(planned.deletions())
    what = f"would delete {count} old Lambda versions" if count else "no old versions to delete"
    note(f"{planned.stack}: {what} (keeping the newest {planned.keep} of each function)")


def _table(planned: Plan) -> Any:
    rows = [
        [f.name, ", ".join(map(str, f.doomed(planned.keep))) or "-", _kept(f, planned.keep)]
        for f in planned.functions
    ]
    return output_table(["function", "delete", "keep"], rows, title="Old Lambda versions")


def _kept(function: FunctionVersions, keep: int) -> str:
    named = function.named
    return ", ".join(f"{v} ({named[v]})" if v in named else str(v) for v in function.kept(keep))


def _confirmed(count: int, yes: bool) -> bool:
    if yes:
        return True
    if not sys.stdin.isatty():
        fail("no terminal to confirm on: pass --yes", EXIT_USAGE)
    return typer.confirm(f"Delete these {count} Lambda versions?", default=False, err=True)
