"""Turning domain rule breaks into the project's errors."""

from __future__ import annotations

from collections.abc import Sequence

from drorch.domain.common import FieldProblem
from drorch.errors import ValidationError


def raise_if_problems(problems: Sequence[FieldProblem], what: str) -> None:
    """Raise one ValidationError listing every problem, if there are any."""
    if problems:
        first = problems[0].message
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ValidationError(f"{what} is invalid: {first}{more}", [p.as_dict() for p in problems])
