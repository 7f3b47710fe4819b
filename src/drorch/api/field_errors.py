"""Pydantic's validation errors as problem+json `errors[]` entries in plain words."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

LOCATIONS = {"body", "query", "path", "header"}

# Pydantic's own wording ("Input should be ...", "Value error, ...") names its internals;
# operators read these instead. Each takes the error's `ctx` (limits, expected values).
_PLAIN: dict[str, Callable[[dict[str, Any]], str]] = {
    "missing": lambda ctx: "required",
    "extra_forbidden": lambda ctx: "unknown field",
    "string_type": lambda ctx: "must be a string",
    "string_too_short": lambda ctx: _at_least(ctx.get("min_length"), "character"),
    "string_too_long": lambda ctx: _at_most(ctx.get("max_length"), "character"),
    "string_pattern_mismatch": lambda ctx: _pattern(str(ctx.get("pattern"))),
    "int_type": lambda ctx: "must be a whole number",
    "int_parsing": lambda ctx: "must be a whole number",
    "int_from_float": lambda ctx: "must be a whole number",
    "float_type": lambda ctx: "must be a number",
    "float_parsing": lambda ctx: "must be a number",
    "bool_type": lambda ctx: "must be true or false",
    "bool_parsing": lambda ctx: "must be true or false",
    "greater_than": lambda ctx: f"must be greater than {ctx.get('gt')}",
    "greater_than_equal": lambda ctx: f"must be at least {ctx.get('ge')}",
    "less_than": lambda ctx: f"must be less than {ctx.get('lt')}",
    "less_than_equal": lambda ctx: f"must be at most {ctx.get('le')}",
    "too_short": lambda ctx: _at_least(ctx.get("min_length"), "item"),
    "too_long": lambda ctx: _at_most(ctx.get("max_length"), "item"),
    "list_type": lambda ctx: "must be a list",
    "dict_type": lambda ctx: "must be an object",
    "model_type": lambda ctx: "must be an object",
    "model_attributes_type": lambda ctx: "must be an object",
    "literal_error": lambda ctx: f"must be one of {ctx.get('expected')}",
    "enum": lambda ctx: f"must be one of {ctx.get('expected')}",
    "datetime_type": lambda ctx: "must be a date and time such as 2026-01-31T12:00:00Z",
    "datetime_parsing": lambda ctx: "must be a date and time such as 2026-01-31T12:00:00Z",
    "datetime_from_date_parsing": lambda ctx: (
        "must be a date and time such as 2026-01-31T12:00:00Z"
    ),
    "value_error": lambda ctx: str(ctx.get("error", "invalid value")),
    "assertion_error": lambda ctx: str(ctx.get("error", "invalid value")),
}


def field_error(error: dict[str, Any]) -> dict[str, Any]:
    """One problem: `{path, message, in}` with a path such as `waves[0].name`."""
    loc = list(error.get("loc", ()))
    where = loc[0] if loc and loc[0] in LOCATIONS else ""
    parts = loc[1:] if where else loc
    return {"path": field_path(parts), "message": plain_message(error), "in": where}


def field_path(parts: Sequence[Any]) -> str:
    """`("waves", 0, "name")` as `waves[0].name`."""
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def plain_message(error: dict[str, Any]) -> str:
    """What is wrong with one value, without pydantic's wording."""
    words = _PLAIN.get(str(error.get("type")))
    if words is not None:
        return words(error.get("ctx") or {})
    message = str(error.get("msg", "invalid value"))
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    return message.replace("Input should be", "must be")


def summary(errors: Sequence[dict[str, Any]], what: str = "the request") -> str:
    """A `detail` naming every offending field, for one or many problems."""
    if len(errors) == 1:
        only = errors[0]
        return f"{only['path'] or what}: {only['message']}"
    paths = list(dict.fromkeys(str(e["path"] or what) for e in errors))
    return f"{what} has {len(errors)} problems, in {', '.join(paths)}"


def _at_least(count: object, noun: str) -> str:
    return f"must have at least {count} {noun}{'' if count == 1 else 's'}"


def _at_most(count: object, noun: str) -> str:
    return f"must have at most {count} {noun}{'' if count == 1 else 's'}"


def _pattern(pattern: str) -> str:
    # `\S` is how the schemas say "not blank"; other patterns are worth showing as they are.
    return "must not be blank" if pattern == r"\S" else f"must match the pattern {pattern}"
