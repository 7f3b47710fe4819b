"""Operator actions on an execution over the API, and `drorch exec approve|decline`.

Every action (pause, resume, cancel, a decision on an approval step) is one POST under the
execution that answers with the execution, shown like `drorch exec get` shows it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

import typer

from drorch.cli.execution_views import execution_view
from drorch.cli.follow import EXECUTIONS
from drorch.cli.http import ApiClient, ApiUrlOption
from drorch.cli.output import JsonOption, reports_errors, show

ExecArgument = Annotated[str, typer.Argument(metavar="EXECUTION", help="Execution id.")]
CommentOption = Annotated[
    str | None, typer.Option("--comment", "-m", help="Why; lands on the timeline and audit log.")
]
StepArgument = Annotated[str, typer.Argument(help="The approval step's name.")]
DECISIONS = {
    "approve": "Approve an approval step that awaits a decision; the wave goes on.",
    "decline": "Decline an approval step: it fails, and its wave with it unless it says continue.",
}


def post_action(
    execution_id: str, action: str, body: Any, *, api_url: str | None, as_json: bool
) -> None:
    """POST `action` under the execution and show the execution it answers with."""
    with ApiClient(api_url) as client:
        execution = client.post(f"{EXECUTIONS}/{execution_id}/{action}", body).data
    show(execution, as_json=as_json, render=execution_view)


def decision_command(decision: str) -> Callable[..., None]:
    """`drorch exec approve` or `decline`: the same arguments, one decision each."""

    def decide(
        execution_id: ExecArgument,
        step: StepArgument,
        comment: CommentOption = None,
        api_url: ApiUrlOption = None,
        as_json: JsonOption = False,
    ) -> None:
        path = f"steps/{quote(step, safe='')}/{decision}"
        post_action(execution_id, path, {"comment": comment}, api_url=api_url, as_json=as_json)

    decide.__name__ = decision
    decide.__doc__ = DECISIONS[decision]
    return reports_errors(decide)


def register(app: typer.Typer) -> None:
    """Add `approve` and `decline` to `drorch exec`."""
    for decision in DECISIONS:
        app.command(decision)(decision_command(decision))
