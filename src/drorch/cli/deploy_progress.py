"""How `drorch deploy` shows what it does: steps, the change set table, the stack's events."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.status import Status
from rich.text import Text

from drorch.cli.output import EXIT_USAGE, console, fail, note, table

if TYPE_CHECKING:
    from drorch.deploy.changes import ChangeRow


class Progress:
    """Tells the operator what the deploy does: lines on stderr, tables on stdout."""

    def __init__(self, *, yes: bool, as_json: bool) -> None:
        self.yes = yes
        self.as_json = as_json
        # On a terminal a spinner line counts finished resources under the event lines.
        self.live: Status | None = None
        self.finished = 0
        self.tty = sys.stderr.isatty()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> None:
        """End the live view, if one runs (a failure must not leave a spinner behind)."""
        if self.live is not None:
            self.live.stop()
            self.live = None

    def step(self, text: str) -> None:
        """One line per step (it ends a live view)."""
        self.stop()
        note(f"- {text}")

    def changes(self, rows: list[ChangeRow]) -> None:
        """The change set as a table (JSON mode: in the final document instead)."""
        if self.as_json:
            return
        console().print(change_table(rows))
        for row in rows:
            if row.dangerous:
                what = f"{row.logical_id} ({row.resource_type})"
                note(f"warning: {what} would be REPLACED: its data would be lost")

    def confirm(self, rows: list[ChangeRow]) -> bool:
        """Ask before running the change set, unless --yes."""
        if self.yes:
            return True
        if not sys.stdin.isatty():
            fail("no terminal to confirm the change set on: pass --yes", EXIT_USAGE)
        return typer.confirm(f"Apply these {len(rows)} changes?", default=False, err=True)

    def event(self, event: dict[str, Any]) -> None:
        """One stack event as one line (time, status, resource, reason)."""
        when: Any = event.get("Timestamp")
        stamp = when.strftime("%H:%M:%S") if isinstance(when, datetime) else str(when or "")
        reason = event.get("ResourceStatusReason") or ""
        status = str(event.get("ResourceStatus", ""))
        logical = str(event.get("LogicalResourceId", ""))
        line = f"  {stamp}  {status:<28} {logical}  {reason}".rstrip()
        if not self.tty:
            note(line)
            return
        self.finished += status.endswith("_COMPLETE")
        if self.live is None:
            self.live = Status("", console=Console(stderr=True))
            self.live.start()
        self.live.console.print(Text(line))
        self.live.update(f"{self.finished} resources done; last: {logical} {status}")


def change_table(rows: list[ChangeRow]) -> Any:
    """Added / modified / replaced / removed resources; replaced stateful ones in red."""
    result = table(["action", "resource", "type", "replacement"], [], title="Change set")
    for row in rows:
        style = "bold red" if row.dangerous else ("yellow" if row.action == "replaced" else "")
        cells = [row.action, row.logical_id, row.resource_type, row.replacement or "-"]
        result.add_row(*(Text(cell, style=style) for cell in cells))
    return result
