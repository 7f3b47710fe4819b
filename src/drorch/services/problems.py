"""Turning domain rule breaks into the project's errors."""

from __future__ import annotations

from collections.abc import Sequence

from drorch.domain.common import FieldProblem
from drorch.errors import (
    PreconditionFailedError,
    PreconditionRequiredError,
    ValidationError,
)


def raise_if_problems(problems: Sequence[FieldProblem], what: str) -> None:
    """Raise one ValidationError listing every problem, each with its own message."""
    if not problems:
        return
    if len(problems) == 1:
        detail = f"{what} is invalid: {problems[0].message}"
    else:
        paths = ", ".join(dict.fromkeys(p.path for p in problems))
        detail = f"{what} has {len(problems)} problems, in {paths}"
    raise ValidationError(detail, [p.as_dict() for p in problems])


def require_version(
    noun: str, item_id: str, current: int, expected: int | None, *, named: bool = True
) -> None:
    """428 when the caller named no version, 412 when it named another than the current one."""
    # Checked before the other rules, so a stale document is told it is stale first.
    if not named:
        raise PreconditionRequiredError(
            f"name the version of {noun} {item_id} you are replacing: send If-Match with the "
            'ETag your GET returned (such as "3"), a body version, or If-Match: * to replace '
            "whatever is there",
            errors=[{"path": "If-Match", "message": "required", "in": "header"}],
        )
    if expected is not None and expected != current:
        raise PreconditionFailedError(
            f"{noun} {item_id} is at version {current}, not {expected}; read it again and retry",
            current_version=current,
        )
