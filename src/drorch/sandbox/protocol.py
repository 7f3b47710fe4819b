"""The DRS restJson1 protocol as botocore's `drs` model defines it: routes and input checks."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import parse_qs, unquote

from botocore.loaders import Loader
from botocore.model import OperationModel, ServiceModel, Shape

from drorch.sandbox.errors import Validation


@cache
def service_model() -> ServiceModel:
    """botocore's `drs` service model (loaded once)."""
    return ServiceModel(Loader().load_service_model("drs", "service-2"), service_name="drs")


@dataclass(frozen=True)
class Route:
    """One operation's HTTP binding."""

    name: str
    method: str
    pattern: re.Pattern[str]
    status: int


@cache
def routes() -> tuple[Route, ...]:
    """Every operation of the model with its method, URI pattern and success code."""
    model = service_model()
    found = []
    for name in model.operation_names:
        http = model.operation_model(name).http
        uri = http["requestUri"].split("?")[0]
        found.append(Route(name, http["method"], _uri_regex(uri), http["responseCode"]))
    return tuple(found)


def _uri_regex(uri: str) -> re.Pattern[str]:
    # Labels match one encoded path segment; the rest of the template is literal.
    parts = re.split(r"\{(\w+)\+?\}", uri)
    regex = "".join(
        re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts)
    )
    return re.compile(f"^{regex}$")


def match(method: str, raw_path: str) -> tuple[Route, dict[str, str]] | None:
    """The route for a request and its decoded URI parameters (None when nothing matches)."""
    for route in routes():
        found = route.pattern.match(raw_path)
        if found and route.method == method:
            return route, {k: unquote(v) for k, v in found.groupdict().items()}
    return None


def error_status(code: str) -> int:
    """HTTP status of an error shape of the model."""
    shape = service_model().shape_for(code)
    return int(shape.metadata.get("error", {}).get("httpStatusCode", 400))


def request_params(
    op: OperationModel, body: Any, uri: dict[str, str], query: str
) -> dict[str, Any]:
    """Merge the JSON body, URI labels and query string into the input shape's members."""
    shape = op.input_shape
    if shape is None:
        return {}
    params: dict[str, Any] = dict(body) if isinstance(body, dict) else {}
    parsed_query = parse_qs(query, keep_blank_values=True)
    for name, member in shape.members.items():
        where = member.serialization.get("location")
        wire = member.serialization.get("name", name)
        if where == "uri" and wire in uri:
            params[name] = uri[wire]
        elif where == "querystring" and wire in parsed_query:
            values = parsed_query[wire]
            params[name] = values if member.type_name == "list" else values[-1]
    return params


def validate(shape: Shape, value: Any, path: str = "") -> list[dict[str, str]]:
    """Problems of `value` against an input shape, as ValidationException fieldList entries."""
    checker = _CHECKS.get(shape.type_name)
    if checker is None:
        return []
    return checker(shape, value, path)


def check_input(op: OperationModel, params: dict[str, Any]) -> None:
    """Raise a DRS ValidationException when the parameters break the input shape."""
    if op.input_shape is None:
        return
    problems = validate(op.input_shape, params)
    if problems:
        first = problems[0]
        raise Validation(f"{first['name']}: {first['message']}", fields=problems[:20])


def _structure(shape: Shape, value: Any, path: str) -> list[dict[str, str]]:
    if not isinstance(value, dict):
        return [_problem(path, "must be an object")]
    problems = [
        _problem(_join(path, name), "is required")
        for name in shape.required_members
        if value.get(name) is None
    ]
    members = shape.members
    for name, item in value.items():
        if name not in members:
            problems.append(_problem(_join(path, name), "is not a member of this request"))
        elif item is not None:
            problems.extend(validate(members[name], item, _join(path, name)))
    return problems


def _list(shape: Shape, value: Any, path: str) -> list[dict[str, str]]:
    if not isinstance(value, list):
        return [_problem(path, "must be a list")]
    problems = _length(shape, len(value), path)
    for i, item in enumerate(value):
        problems.extend(validate(shape.member, item, f"{path}[{i}]"))
    return problems


def _map(shape: Shape, value: Any, path: str) -> list[dict[str, str]]:
    if not isinstance(value, dict):
        return [_problem(path, "must be an object")]
    problems = _length(shape, len(value), path)
    for key, item in value.items():
        problems.extend(validate(shape.key, key, f"{path}.{key}"))
        problems.extend(validate(shape.value, item, f"{path}.{key}"))
    return problems


def _string(shape: Shape, value: Any, path: str) -> list[dict[str, str]]:
    if not isinstance(value, str):
        return [_problem(path, "must be a string")]
    problems = _length(shape, len(value), path)
    enum = shape.enum
    if enum and value not in enum:
        problems.append(_problem(path, f"must be one of {', '.join(enum)}"))
    pattern = shape.metadata.get("pattern")
    if pattern and not problems and not re.search(pattern, value):
        problems.append(_problem(path, f"must match {pattern}"))
    return problems


def _integer(shape: Shape, value: Any, path: str) -> list[dict[str, str]]:
    if isinstance(value, bool) or not isinstance(value, int):
        return [_problem(path, "must be an integer")]
    low = shape.metadata.get("min")
    high = shape.metadata.get("max")
    if (low is not None and value < low) or (high is not None and value > high):
        return [_problem(path, f"must be between {low} and {high}")]
    return []


def _boolean(shape: Shape, value: Any, path: str) -> list[dict[str, str]]:
    return [] if isinstance(value, bool) else [_problem(path, "must be a boolean")]


def _length(shape: Shape, size: int, path: str) -> list[dict[str, str]]:
    low = shape.metadata.get("min")
    high = shape.metadata.get("max")
    if low is not None and size < low:
        return [_problem(path, f"must have at least {low} entries/characters")]
    if high is not None and size > high:
        return [_problem(path, f"must have at most {high} entries/characters")]
    return []


def _problem(path: str, message: str) -> dict[str, str]:
    return {"name": path or "body", "message": message}


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


_CHECKS = {
    "structure": _structure,
    "list": _list,
    "map": _map,
    "string": _string,
    "integer": _integer,
    "long": _integer,
    "boolean": _boolean,
}
