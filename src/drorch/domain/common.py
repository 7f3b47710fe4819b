"""Small shared pieces of the domain: ids, timestamps, field errors."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict


class Model(BaseModel):
    """Base of domain models: unknown fields are refused, instances are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def new_id(prefix: str) -> str:
    """A short random id with a readable prefix, e.g. `pg-3f9a1c2b7d4e`."""
    return f"{prefix}-{secrets.token_hex(6)}"


def utcnow() -> datetime:
    """The current time in UTC, to the millisecond."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


@dataclass(frozen=True)
class FieldProblem:
    """One broken rule, located by a field path such as `waves[1].depends_on`."""

    path: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        """The problem as it appears in problem+json `errors`."""
        return {"path": self.path, "message": self.message}


# Characters that move the cursor, recolour a terminal or reorder text on screen: C0 and
# C1 controls, DEL, the bidi embeddings, overrides, isolates and marks, and line separators.
_BIDI = {0x061C, 0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
# Multi-line text (descriptions) may keep line breaks and tabs.
TEXT_LAYOUT = frozenset("\n\t")


def is_control(char: str) -> bool:
    """True for a character that is not safe to show as text."""
    code = ord(char)
    return code < 0x20 or 0x7F <= code <= 0x9F or code in _BIDI


def control_characters(value: str, allowed: frozenset[str] = frozenset()) -> list[str]:
    """The distinct control characters in `value` (as U+XXXX), except those `allowed`."""
    found = (c for c in value if c not in allowed and is_control(c))
    return [f"U+{ord(c):04X}" for c in dict.fromkeys(found)]


def plain_name(value: str) -> str:
    """A name as given; ValueError when it holds a control character."""
    _refuse_controls(value, frozenset(), "")
    return value


def plain_text(value: str) -> str:
    """Free text as given; ValueError when it holds a control character other than \\n or \\t."""
    _refuse_controls(value, TEXT_LAYOUT, " other than line breaks and tabs")
    return value


def _refuse_controls(value: str, allowed: frozenset[str], besides: str) -> None:
    found = control_characters(value, allowed)
    if found:
        listed = ", ".join(found)
        raise ValueError(f"must not contain control characters{besides} (found {listed})")


Name = Annotated[str, AfterValidator(plain_name)]
Text = Annotated[str, AfterValidator(plain_text)]


def echo_problems(echoed: Mapping[str, Any], current: Mapping[str, Any]) -> list[FieldProblem]:
    """Read-only fields a client sent back with a value other than the resource's own."""
    return [
        FieldProblem(
            name,
            "read-only and differs from the current value: leave it out or send what GET returned",
        )
        for name, value in echoed.items()
        if _comparable(value) != _comparable(current.get(name))
    ]


def _comparable(value: Any) -> Any:
    # Derived lists (member ids) are sets in meaning; their order is not the client's to keep.
    return sorted(value) if isinstance(value, list | tuple) else value
