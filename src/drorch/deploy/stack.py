"""A stack's rollout through a change set: plan it, show it, run it, follow its events."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from drorch.deploy.aws import aws_errors
from drorch.deploy.changes import (
    ROLLED_BACK,
    ChangeRow,
    change_rows,
    first_failure,
    is_empty_change_set,
    is_terminal,
)
from drorch.errors import DeployError

CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
CHANGE_SET_READY = {"CREATE_COMPLETE", "FAILED"}
EventSink = Callable[[dict[str, Any]], None]


@dataclass
class Planned:
    """A change set CloudFormation prepared: what it would do, or that it would do nothing."""

    stack: str
    change_set_id: str
    change_type: str  # CREATE | UPDATE
    rows: list[ChangeRow] = field(default_factory=list)
    empty: bool = False


@dataclass(frozen=True)
class Outcome:
    """How a rollout ended: the stack's status and, when it failed, the first failure."""

    status: str
    failure: tuple[str, str] | None = None

    @property
    def ok(self) -> bool:
        """The change is in place."""
        return self.status in {"CREATE_COMPLETE", "UPDATE_COMPLETE"}

    def summary(self, name: str) -> str:
        """`NAME ended STATUS: RESOURCE failed: REASON`, the one line a failure is told in."""
        where = f": {self.failure[0]} failed: {self.failure[1]}" if self.failure else ""
        return f"{name} ended {self.status}{where}"


def describe(cfn: Any, name: str) -> dict[str, Any] | None:
    """The stack, or None when there is none (a never-executed CREATE counts as none)."""
    try:
        with aws_errors(f"describe stack {name}"):
            stacks = cfn.describe_stacks(StackName=name)["Stacks"]
    except DeployError as exc:
        if exc.extra.get("code") == "ValidationError" and "does not exist" in exc.detail:
            return None
        raise
    stack: dict[str, Any] = stacks[0]
    return None if stack["StackStatus"] == "REVIEW_IN_PROGRESS" else stack


def outputs(stack: dict[str, Any]) -> dict[str, str]:
    """A described stack's outputs by key."""
    return {
        item["OutputKey"]: str(item.get("OutputValue", "")) for item in stack.get("Outputs", [])
    }


def plan(
    cfn: Any,
    *,
    name: str,
    existing: dict[str, Any] | None,
    template: dict[str, Any],
    parameters: list[dict[str, Any]],
    tags: dict[str, str],
    sleep: Callable[[float], None] = time.sleep,
) -> Planned:
    """Create a change set for `name` and wait until CloudFormation has worked it out.

    `template` is `{"TemplateURL": ...}`, `{"TemplateBody": ...}` or
    `{"UsePreviousTemplate": True}`; `existing` is the stack as described (None: new).
    """
    change_type = "CREATE" if existing is None else "UPDATE"
    change_set_name = "drorch-" + datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
    with aws_errors(f"create change set for {name}"):
        created = cfn.create_change_set(
            StackName=name,
            ChangeSetName=change_set_name,
            ChangeSetType=change_type,
            **template,
            Parameters=parameters,
            Capabilities=CAPABILITIES,
            Tags=[{"Key": key, "Value": value} for key, value in sorted(tags.items())],
        )
    planned = Planned(name, created["Id"], change_type)
    described = _wait_for_change_set(cfn, planned.change_set_id, sleep)
    status, reason = described["Status"], str(described.get("StatusReason", ""))
    if is_empty_change_set(status, reason):
        planned.empty = True
        return planned
    if status == "FAILED":
        discard(cfn, planned)
        raise DeployError(f"CloudFormation refused the change set for {name}: {reason}")
    planned.rows = change_rows(_all_changes(cfn, planned.change_set_id, described))
    return planned


def _wait_for_change_set(
    cfn: Any, change_set_id: str, sleep: Callable[[float], None]
) -> dict[str, Any]:
    delay = 0.5
    while True:
        with aws_errors("describe change set"):
            described: dict[str, Any] = cfn.describe_change_set(ChangeSetName=change_set_id)
        if described["Status"] in CHANGE_SET_READY:
            return described
        sleep(delay)
        delay = min(delay * 2, 5.0)


def _all_changes(cfn: Any, change_set_id: str, first: dict[str, Any]) -> list[dict[str, Any]]:
    changes = list(first.get("Changes", []))
    token = first.get("NextToken")
    while token:
        with aws_errors("describe change set"):
            page = cfn.describe_change_set(ChangeSetName=change_set_id, NextToken=token)
        changes.extend(page.get("Changes", []))
        token = page.get("NextToken")
    return changes


def discard(cfn: Any, planned: Planned) -> None:
    """Drop a change set that will not run (and the empty stack a CREATE left behind)."""
    if not planned.change_set_id:
        return  # none was made: the stack was seen to be up to date
    with aws_errors("delete change set"):
        cfn.delete_change_set(ChangeSetName=planned.change_set_id)
        if planned.change_type == "CREATE":
            cfn.delete_stack(StackName=planned.stack)


def execute(
    cfn: Any,
    planned: Planned,
    *,
    on_event: EventSink,
    sleep: Callable[[float], None] = time.sleep,
    poll_seconds: float = 3.0,
) -> Outcome:
    """Run the change set and follow the stack's events until CloudFormation is done."""
    seen = event_ids(cfn, planned.stack)
    with aws_errors(f"execute change set on {planned.stack}"):
        cfn.execute_change_set(ChangeSetName=planned.change_set_id)
    return follow(cfn, planned.stack, seen=seen, on_event=on_event, sleep=sleep, poll=poll_seconds)


def follow(
    cfn: Any,
    name: str,
    *,
    seen: set[str],
    on_event: EventSink,
    sleep: Callable[[float], None] = time.sleep,
    poll: float = 3.0,
) -> Outcome:
    """Report every new event of `name` until its status is terminal; the first failure."""
    collected: list[dict[str, Any]] = []
    while True:
        status = _status(cfn, name)
        fresh = [event for event in _events(cfn, name) if event["EventId"] not in seen]
        for event in sorted(fresh, key=lambda item: item["Timestamp"]):
            seen.add(event["EventId"])
            collected.append(event)
            on_event(event)
        if status is None or is_terminal(status):
            break
        sleep(poll)
    final = status or "DELETE_COMPLETE"
    failed = final in ROLLED_BACK or final.endswith("_FAILED")
    return Outcome(final, first_failure(collected) if failed else None)


def event_ids(cfn: Any, name: str) -> set[str]:
    """The ids of the stack's events so far (what a later `follow` should not report)."""
    return {event["EventId"] for event in _events(cfn, name)}


def _status(cfn: Any, name: str) -> str | None:
    try:
        with aws_errors(f"describe stack {name}"):
            return str(cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"])
    except DeployError as exc:
        if "does not exist" in exc.detail:
            return None  # deleted: nothing left to follow
        raise


def _events(cfn: Any, name: str) -> list[dict[str, Any]]:
    try:
        with aws_errors(f"describe stack events of {name}"):
            return list(cfn.describe_stack_events(StackName=name).get("StackEvents", []))
    except DeployError as exc:
        if "does not exist" in exc.detail:
            return []
        raise
