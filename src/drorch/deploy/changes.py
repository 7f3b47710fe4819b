"""What a change set would do, and what a failed rollout says: plain data, no AWS calls."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

# Resources holding data or identities: replacing one loses its content (or every user).
STATEFUL_TYPES = frozenset(
    {"AWS::DynamoDB::Table", "AWS::Cognito::UserPool", "AWS::S3::Bucket", "AWS::Logs::LogGroup"}
)
ACTIONS = {"Add": "added", "Modify": "modified", "Remove": "removed", "Import": "imported"}
FAILED_SUFFIXES = ("_FAILED",)
# Stack states after a failed update or create, once CloudFormation undid it.
ROLLED_BACK = frozenset(
    {"UPDATE_ROLLBACK_COMPLETE", "ROLLBACK_COMPLETE", "UPDATE_ROLLBACK_FAILED", "ROLLBACK_FAILED"}
)
NO_CHANGES = ("didn't contain changes", "No updates are to be performed")


@dataclass(frozen=True)
class ChangeRow:
    """One resource's planned change, as the change set table shows it."""

    action: str  # added | modified | replaced | removed
    logical_id: str
    resource_type: str
    replacement: str  # True | False | Conditional | "" (not a modification)
    stateful: bool

    @property
    def dangerous(self) -> bool:
        """A stateful resource that would (or may) be replaced: its data would be lost."""
        return self.stateful and self.replacement in {"True", "Conditional"}

    def as_dict(self) -> dict[str, Any]:
        """The row for --json output."""
        return {**asdict(self), "dangerous": self.dangerous}


def change_rows(changes: Iterable[dict[str, Any]]) -> list[ChangeRow]:
    """DescribeChangeSet's `Changes` as rows, a modification that replaces called `replaced`."""
    rows = []
    for change in changes:
        resource = change.get("ResourceChange", {})
        action = ACTIONS.get(str(resource.get("Action", "")), str(resource.get("Action", "")))
        replacement = str(resource.get("Replacement", "")) if action == "modified" else ""
        if replacement == "True":
            action = "replaced"
        resource_type = str(resource.get("ResourceType", ""))
        rows.append(
            ChangeRow(
                action=action,
                logical_id=str(resource.get("LogicalResourceId", "")),
                resource_type=resource_type,
                replacement=replacement,
                stateful=resource_type in STATEFUL_TYPES,
            )
        )
    return sorted(rows, key=lambda row: (row.action, row.logical_id))


def is_empty_change_set(status: str, reason: str) -> bool:
    """A change set that failed only because nothing would change."""
    return status == "FAILED" and any(text in reason for text in NO_CHANGES)


def first_failure(events: Iterable[dict[str, Any]]) -> tuple[str, str] | None:
    """The first resource that failed in a rollout (events oldest first): its id and reason."""
    for event in events:
        status = str(event.get("ResourceStatus", ""))
        reason = str(event.get("ResourceStatusReason", "") or "")
        if not status.endswith(FAILED_SUFFIXES):
            continue
        if "cancelled" in reason.lower():  # a sibling stopped because another one failed
            continue
        return str(event.get("LogicalResourceId", "")), reason or status
    return None


def is_terminal(status: str) -> bool:
    """A stack status CloudFormation is done with (complete, failed or rolled back)."""
    return not status.endswith("_IN_PROGRESS")
