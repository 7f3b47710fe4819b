"""application/problem+json (RFC 9457) for every error, from one handler table."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from drorch.errors import DrorchError, TooManyRequestsError, UnauthenticatedError

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("drorch.api")


def problem(
    status: int, title: str, detail: str, type_: str, instance: str, **extra: Any
) -> JSONResponse:
    """A problem+json response."""
    body = {
        "type": type_,
        "title": title,
        "status": status,
        "detail": detail,
        "instance": instance,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


async def _drorch_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DrorchError)
    extra = {k: v for k, v in exc.extra.items() if v is not None}
    response = problem(
        exc.status, exc.title, exc.detail, exc.problem_type, request.url.path, **extra
    )
    response.headers.update(_headers(exc))
    return response


def _headers(exc: DrorchError) -> dict[str, str]:
    """What RFC 9110 asks a 401 or 429 to say besides the body."""
    if isinstance(exc, UnauthenticatedError):
        return {"WWW-Authenticate": 'Bearer realm="drorch"'}
    if isinstance(exc, TooManyRequestsError) and exc.extra.get("retry_after") is not None:
        return {"Retry-After": str(int(exc.extra["retry_after"]))}
    return {}


async def _request_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    malformed = next((e for e in exc.errors() if e.get("type") == "json_invalid"), None)
    if malformed is not None:
        return _malformed_json(request, malformed)
    errors = [_field_error(e) for e in exc.errors()]
    first = errors[0]
    detail = f"{first['path'] or 'request'}: {first['message']}"
    if len(errors) > 1:
        detail += f" (and {len(errors) - 1} more)"
    return problem(
        422,
        "Invalid input",
        detail,
        "urn:drorch:problem:validation",
        request.url.path,
        errors=errors,
    )


def _malformed_json(request: Request, error: dict[str, Any]) -> JSONResponse:
    # The location of a JSON syntax error is a character offset, not a field path.
    offset = error.get("loc", ("body", 0))[-1]
    detail = f"the request body is not valid JSON (error at character {offset})"
    return problem(
        400,
        "Malformed JSON",
        detail,
        "urn:drorch:problem:malformed-json",
        request.url.path,
        errors=[{"path": "", "message": detail, "in": "body"}],
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = str(exc.detail) if exc.detail else "request refused"
    return problem(
        exc.status_code,
        _TITLES.get(exc.status_code, "Error"),
        detail,
        f"urn:drorch:problem:http-{exc.status_code}",
        request.url.path,
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(
        500,
        "Internal error",
        "an unexpected error occurred; see the server log",
        "urn:drorch:problem:internal",
        request.url.path,
    )


def _field_error(error: dict[str, Any]) -> dict[str, Any]:
    # Drop the leading "body"/"query"/"path" so paths read like `waves[0].name`.
    loc = list(error.get("loc", ()))
    where = loc[0] if loc else ""
    parts = loc[1:] if where in {"body", "query", "path", "header"} else loc
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    message = error.get("msg", "invalid")
    if error.get("type") == "extra_forbidden":
        message = "unknown field"
    return {"path": path, "message": message, "in": where}


_TITLES = {
    404: "Not found",
    405: "Method not allowed",
    413: "Payload too large",
    415: "Unsupported media type",
    400: "Bad request",
}


def install(app: FastAPI) -> None:
    """Register the handler table on the app."""
    app.add_exception_handler(DrorchError, _drorch_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
