"""A small JSON Schema checker for the keywords the API's OpenAPI document uses."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Schema = dict[str, Any]
Check = Callable[[Any, Any, Schema, str], list[str]]

_TYPES: dict[str, Callable[[Any], bool]] = {
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
    ),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def problems(value: Any, schema: Schema | bool, root: Schema, at: str = "$") -> list[str]:
    """Every way `value` breaks `schema` (refs resolve in `root`), as `path: why` lines."""
    if schema is True or schema == {}:
        return []
    if schema is False:
        return [f"{at}: nothing is allowed here"]
    found: list[str] = []
    for keyword, argument in schema.items():
        check = _KEYWORDS.get(keyword)
        if check is not None:
            found += check(value, argument, root, at)
    if "additionalProperties" in schema and isinstance(value, dict):
        found += _additional(value, schema, root, at)
    return found


def _additional(value: dict[str, Any], schema: Schema, root: Schema, at: str) -> list[str]:
    # additionalProperties judges the keys its sibling `properties` does not name.
    extra, known = schema["additionalProperties"], set(schema.get("properties", {}))
    found: list[str] = []
    for name, item in value.items():
        if name not in known:
            found += problems(item, extra, root, f"{at}.{name}")
    return found


def resolve(ref: str, root: Schema) -> Schema:
    """The schema a local `#/...` reference names."""
    if not ref.startswith("#/"):
        raise ValueError(f"only local references are supported, not {ref}")
    node: Any = root
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return dict(node)


def _ref(value: Any, ref: str, root: Schema, at: str) -> list[str]:
    return problems(value, resolve(ref, root), root, at)


def _type(value: Any, expected: str | list[str], _: Schema, at: str) -> list[str]:
    names = [expected] if isinstance(expected, str) else expected
    if any(_TYPES[name](value) for name in names):
        return []
    return [f"{at}: expected {' or '.join(names)}, got {type(value).__name__}"]


def _enum(value: Any, allowed: list[Any], _: Schema, at: str) -> list[str]:
    return [] if value in allowed else [f"{at}: {value!r} is not one of {allowed}"]


def _const(value: Any, expected: Any, _: Schema, at: str) -> list[str]:
    return [] if value == expected else [f"{at}: expected {expected!r}, got {value!r}"]


def _properties(value: Any, props: dict[str, Schema], root: Schema, at: str) -> list[str]:
    if not isinstance(value, dict):
        return []
    found: list[str] = []
    for name, sub in props.items():
        if name in value:
            found += problems(value[name], sub, root, f"{at}.{name}")
    return found


def _required(value: Any, names: list[str], _: Schema, at: str) -> list[str]:
    if not isinstance(value, dict):
        return []
    return [f"{at}: missing {name!r}" for name in names if name not in value]


def _items(value: Any, sub: Schema, root: Schema, at: str) -> list[str]:
    if not isinstance(value, list):
        return []
    return [p for i, item in enumerate(value) for p in problems(item, sub, root, f"{at}[{i}]")]


def _any_of(value: Any, options: list[Schema], root: Schema, at: str) -> list[str]:
    if any(not problems(value, option, root, at) for option in options):
        return []
    return [f"{at}: matches none of anyOf ({len(options)} options)"]


def _one_of(value: Any, options: list[Schema], root: Schema, at: str) -> list[str]:
    matches = sum(1 for option in options if not problems(value, option, root, at))
    return [] if matches == 1 else [f"{at}: matches {matches} of oneOf, not exactly one"]


def _all_of(value: Any, parts: list[Schema], root: Schema, at: str) -> list[str]:
    return [p for part in parts for p in problems(value, part, root, at)]


def _bound(test: Callable[[Any, Any], bool], kind: type | tuple[type, ...], words: str) -> Check:
    def check(value: Any, limit: Any, _: Schema, at: str) -> list[str]:
        if not isinstance(value, kind) or isinstance(value, bool) or test(value, limit):
            return []
        return [f"{at}: {words} {limit}"]

    return check


def _pattern(value: Any, pattern: str, _: Schema, at: str) -> list[str]:
    if not isinstance(value, str) or re.search(pattern, value):
        return []
    return [f"{at}: {value!r} does not match {pattern}"]


_KEYWORDS: dict[str, Check] = {
    "$ref": _ref,
    "type": _type,
    "enum": _enum,
    "const": _const,
    "properties": _properties,
    "required": _required,
    "items": _items,
    "anyOf": _any_of,
    "oneOf": _one_of,
    "allOf": _all_of,
    "minimum": _bound(lambda v, n: v >= n, (int, float), "must be at least"),
    "maximum": _bound(lambda v, n: v <= n, (int, float), "must be at most"),
    "exclusiveMinimum": _bound(lambda v, n: v > n, (int, float), "must be more than"),
    "exclusiveMaximum": _bound(lambda v, n: v < n, (int, float), "must be less than"),
    "minLength": _bound(lambda v, n: len(v) >= n, str, "length must be at least"),
    "maxLength": _bound(lambda v, n: len(v) <= n, str, "length must be at most"),
    "minItems": _bound(lambda v, n: len(v) >= n, list, "must have at least items:"),
    "maxItems": _bound(lambda v, n: len(v) <= n, list, "must have at most items:"),
    "minProperties": _bound(lambda v, n: len(v) >= n, dict, "must have at least keys:"),
    "pattern": _pattern,
}
