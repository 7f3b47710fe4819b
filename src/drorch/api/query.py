"""Query strings read into one pydantic model per endpoint, in one validation call.

FastAPI validates query parameters one by one, which costs more than the page itself on
the busiest list endpoints. A model validates the whole query string at once, refuses
unknown parameters, and still documents every parameter in the OpenAPI spec.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar, get_origin

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic import ValidationError as PydanticValidationError

from drorch.ports.store import MAX_PAGE_SIZE

M = TypeVar("M", bound=BaseModel)
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


class QueryModel(BaseModel):
    """Base of query-string models: unknown parameters and control characters are refused."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        # SQLite ends a text at NUL, so `search=%00x` would become an empty filter.
        texts = value if isinstance(value, list) else [value]
        if any(isinstance(t, str) and CONTROL.search(t) for t in texts):
            raise ValueError("must not contain NUL or other control characters")
        return value


class PageQuery(QueryModel):
    """The paging parameters every list endpoint takes."""

    limit: int = Field(100, ge=1, le=MAX_PAGE_SIZE, description="Page size (1-500).")
    cursor: str | None = Field(
        None, max_length=2048, description="next_cursor of the previous page."
    )


def query_of(model: type[M]) -> Any:
    """A dependency giving the request's query string validated as `model`."""
    repeated = {
        name for name, field in model.model_fields.items() if get_origin(field.annotation) is list
    }

    async def parse(request: Request) -> M:
        params = request.query_params
        raw = {key: params.getlist(key) if key in repeated else params[key] for key in params}
        try:
            return model.model_validate(raw)
        except PydanticValidationError as exc:
            # Same shape as FastAPI's own errors, so one handler names each parameter.
            errors = [{**e, "loc": ("query", *e["loc"])} for e in exc.errors()]
            raise RequestValidationError(errors) from None

    return Depends(parse)


def _inline_enums(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with references to enum definitions (status families) written in place."""
    defs = schema.get("$defs", {})
    if not defs or not all("enum" in d for d in defs.values()):
        return schema

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                found = dict(defs[ref.removeprefix("#/$defs/")])
                found.pop("description", None)
                found.pop("title", None)
                return found
            return {k: inline(v) for k, v in node.items()}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    inlined: dict[str, Any] = inline({k: v for k, v in schema.items() if k != "$defs"})
    return inlined


def documented(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` listing the model's fields as the operation's query parameters."""
    schema = _inline_enums(model.model_json_schema())
    if "$defs" in schema:
        raise TypeError(f"{model.__name__}: query parameters must have inline schemas")
    required = set(schema.get("required", []))
    parameters = []
    for name, prop in schema["properties"].items():
        description = prop.pop("description", None)
        prop.pop("title", None)
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": prop,
        }
        if description:
            parameter["description"] = description
        parameters.append(parameter)
    invalid = {"description": "A query parameter is invalid or unknown (problem+json)"}
    return {"parameters": parameters, "responses": {"422": invalid}}
