"""Checks DRS responses against botocore's `drs` model (boto3 itself never validates them)."""

from __future__ import annotations

import json
import re
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape


class ModelViolation(AssertionError):
    """A DRS response breaks the botocore model."""


def check_value(shape: Shape, value: Any, path: str = "$") -> list[str]:
    """Every way `value` (parsed JSON) breaks `shape`; empty when it conforms."""
    kind = shape.type_name
    if kind == "structure":
        return _structure(shape, value, path)
    if kind == "list":
        return _list(shape, value, path)
    if kind == "map":
        return _map(shape, value, path)
    if kind == "string":
        return _string(shape, value, path)
    if kind in ("integer", "long"):
        return _number(shape, value, path, integral=True)
    if kind in ("float", "double"):
        return _number(shape, value, path, integral=False)
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{path}: expected boolean, got {value!r}"]
    if kind == "timestamp":
        ok = isinstance(value, (int, float, str)) and not isinstance(value, bool)
        return [] if ok else [f"{path}: expected timestamp, got {value!r}"]
    return [f"{path}: shape type {kind} is not handled by the checker"]


def _structure(shape: Shape, value: Any, path: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path}: expected object, got {type(value).__name__}"]
    members = shape.members
    problems = [
        f"{path}.{name}: required member missing"
        for name in shape.required_members
        if name not in value
    ]
    for name, item in value.items():
        if name not in members:
            problems.append(f"{path}.{name}: not a member of {shape.name}")
        elif item is None:
            problems.append(f"{path}.{name}: null is never sent by DRS")
        else:
            problems.extend(check_value(members[name], item, f"{path}.{name}"))
    return problems


def _list(shape: Shape, value: Any, path: str) -> list[str]:
    if not isinstance(value, list):
        return [f"{path}: expected list, got {type(value).__name__}"]
    problems = _size(shape, len(value), path)
    for i, item in enumerate(value):
        problems.extend(check_value(shape.member, item, f"{path}[{i}]"))
    return problems


def _map(shape: Shape, value: Any, path: str) -> list[str]:
    if not isinstance(value, dict):
        return [f"{path}: expected map, got {type(value).__name__}"]
    problems = _size(shape, len(value), path)
    for key, item in value.items():
        problems.extend(check_value(shape.key, key, f"{path}<key {key!r}>"))
        problems.extend(check_value(shape.value, item, f"{path}[{key!r}]"))
    return problems


def _string(shape: Shape, value: Any, path: str) -> list[str]:
    if not isinstance(value, str):
        return [f"{path}: expected string, got {value!r}"]
    problems = _size(shape, len(value), path)
    enum = getattr(shape, "enum", None)
    if enum and value not in enum:
        problems.append(f"{path}: {value!r} is not one of {shape.name}'s values")
    pattern = shape.metadata.get("pattern")
    if pattern and not re.search(pattern, value):
        problems.append(f"{path}: {value!r} does not match {pattern}")
    return problems


def _number(shape: Shape, value: Any, path: str, *, integral: bool) -> list[str]:
    types: tuple[type, ...] = (int,) if integral else (int, float)
    if isinstance(value, bool) or not isinstance(value, types):
        return [f"{path}: expected number, got {value!r}"]
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if (low is not None and value < low) or (high is not None and value > high):
        return [f"{path}: {value} outside [{low}, {high}]"]
    return []


def _size(shape: Shape, size: int, path: str) -> list[str]:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and size < low:
        return [f"{path}: length {size} below minimum {low}"]
    if high is not None and size > high:
        return [f"{path}: length {size} above maximum {high}"]
    return []


def check_response(
    model: ServiceModel, operation: OperationModel, status: int, headers: Any, body: bytes
) -> list[str]:
    """Problems of one raw HTTP response: status code, error type, body against its shape."""
    if status < 300:
        expected = operation.http.get("responseCode", 200)
        problems = [] if status == expected else [f"status {status}, model says {expected}"]
        return problems + _body(operation.output_shape, body, "output")
    code = headers.get("x-amzn-errortype", "").split(":")[0]
    names = {shape.name for shape in model.error_shapes}
    if code not in names:
        return [f"error type {code!r} is not an error shape of the model"]
    shape = model.shape_for(code)
    wanted = shape.metadata["error"]["httpStatusCode"]
    problems = [] if wanted == status else [f"{code} sent with status {status}, model: {wanted}"]
    return problems + _body(shape, body, code)


def _body(shape: Shape | None, body: bytes, label: str) -> list[str]:
    if shape is None:
        return [] if body.strip() in (b"", b"{}") else [f"{label}: body sent, model has none"]
    try:
        data = json.loads(body or b"{}")
    except ValueError as exc:
        return [f"{label}: body is not JSON ({exc})"]
    # Header-bound members (e.g. Retry-After) never appear in the body.
    body_shape_members = {
        name: member
        for name, member in shape.members.items()
        if member.serialization.get("location") is None
    }
    extra = [k for k in data if k not in body_shape_members] if isinstance(data, dict) else []
    problems = [f"{label}.{k}: not a body member of {shape.name}" for k in extra]
    trimmed = {k: v for k, v in data.items() if k not in extra} if isinstance(data, dict) else data
    return problems + [f"{label}: {p}" for p in check_value(shape, trimmed)]


def validating_hook(model: ServiceModel, seen: list[str] | None = None) -> Any:
    """A botocore `after-call.drs` handler that raises on any response breaking the model."""

    def after_call(http_response: Any, model: OperationModel, **_: Any) -> None:
        problems = check_response(
            model.service_model,
            model,
            http_response.status_code,
            http_response.headers,
            http_response.content,
        )
        if seen is not None:
            seen.append(model.name)
        if problems:
            raise ModelViolation(f"{model.name} response breaks the drs model: {problems}")

    return after_call


def attach_validator(client: Any, seen: list[str] | None = None) -> Any:
    """Make every response this boto3 `drs` client receives go through the model check."""
    hook = validating_hook(client.meta.service_model, seen)
    client.meta.events.register("after-call.drs", hook)
    return client
