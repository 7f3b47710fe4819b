"""The OpenAPI document names every error answer: application/problem+json with `errors[]`.

FastAPI documents a 422 of its own shape (`HTTPValidationError`) and nothing else. The
server answers every error from one handler table (api/problems.py), so one pass over the
generated document states, for each operation, the statuses it can answer: generic rules
read from the operation itself (its parameters, body and If-Match), plus a small table of
what services refuse. Statuses a route declares in `responses=` get the problem schema too.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from drorch.api import security
from drorch.api.problems import PROBLEM_JSON

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PUBLIC = "x-drorch-public"
METHODS = ("get", "put", "post", "delete", "patch")
CHANGES = frozenset({"put", "post", "delete", "patch"})
# Answered below the routes (api/guards.py, api/transport.py) to any request at all.
TRANSPORT_ANSWERS = {400, 408, 414, 431}
# The OAuth2 password form is the one change not sent as JSON (api/guards.py).
FORM_POSTS = {("post", "/api/v1/auth/token")}
DRS_ANSWERS = {400, 404, 424, 429, 502, 503}
FASTAPI_422 = "Validation Error"  # FastAPI's own description of its 422

# What each status means on any operation that can answer it.
DESCRIPTIONS: dict[int, str] = {
    400: "The body is not valid JSON, the Host is not one this server answers for, or DRS "
    "rejected the request's shape",
    401: "Sign-in required: no bearer token, or a bad, expired or revoked one",
    403: "The caller's role lacks the permission this operation needs (or a change came "
    "from a foreign Origin)",
    408: "The request's headers were not sent in time",
    404: "No such resource",
    409: "Conflicts with the current state; `conflicts` says with what",
    412: "The version named (If-Match or the body's `version`) is no longer current",
    413: "The request body is over the size limit",
    414: "The request line is over the size limit",
    415: "A change must be sent as JSON (Content-Type: application/json), body or not",
    422: "Invalid input; `errors` names each field with its own message",
    424: "No session for a target account: hub credentials or AssumeRole failed (`account_id`, "
    "`step`)",
    428: "No version named: send If-Match (or the body's `version`) of the resource read",
    431: "The request's headers are over the size limit",
    429: "Too many requests (or DRS throttled the call); see Retry-After",
    500: "Unexpected error; the server log has the details",
    502: "DRS answered with an error",
    503: "DRS could not be reached",
}

# Refusals the generic rules cannot see: what the services behind each operation raise.
SERVICE_ANSWERS: dict[tuple[str, str], set[int]] = {
    ("post", "/api/v1/source-servers/sync"): {409, *DRS_ANSWERS},
    ("post", "/api/v1/protection-groups"): {409},
    ("post", "/api/v1/protection-groups/preview"): {404},
    ("put", "/api/v1/protection-groups/{group_id}"): {409},
    ("delete", "/api/v1/protection-groups/{group_id}"): {409},
    ("post", "/api/v1/accounts"): {409},
    ("delete", "/api/v1/accounts/{account_id}"): {409},
    ("post", "/api/v1/accounts/{account_id}/verify"): {409},
    ("post", "/api/v1/recovery-plans"): {409},
    ("put", "/api/v1/recovery-plans/{plan_id}"): {409},
    ("post", "/api/v1/executions"): {404, 409},
    ("post", "/api/v1/executions/preflight"): {404},
    # Sign-in (docs/identity.md): public, yet a bad password is 401 and a lockout 429.
    ("post", "/api/v1/auth/token"): {401, 429},
    ("post", "/api/v1/auth/refresh"): {401},
    ("get", "/api/v1/executions/{execution_id}/stream"): {429},
}

# Error statuses answered with a body of their own rather than a problem.
OWN_ANSWERS: dict[tuple[str, str], dict[int, dict[str, Any]]] = {
    ("get", "/health"): {
        503: {
            "description": "A dependency is not answering; `checks` says which",
            "content": {"application/json": {"schema": {"type": "object"}}},
        }
    },
}

FIELD_ERROR_SCHEMA: dict[str, Any] = {
    "title": "FieldError",
    "description": "One problem with the request, located by a field path.",
    "type": "object",
    "properties": {
        "path": {"type": "string", "description": "Such as `waves[0].name`; empty: the whole."},
        "message": {"type": "string", "description": "What is wrong, in plain words."},
        "in": {
            "type": "string",
            "description": "Where the field is: body, query, path or header (empty: elsewhere).",
        },
    },
    "required": ["path", "message"],
}

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An error answer (RFC 9457 problem details).",
    "type": "object",
    "properties": {
        "type": {"type": "string", "description": "URI naming the problem type."},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string", "description": "What happened, summarised."},
        "instance": {"type": "string", "description": "The request path."},
        "errors": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/FieldError"},
            "description": "Every field problem, each with its own message.",
        },
        "conflicts": {
            "type": "array",
            "items": {"type": "object", "additionalProperties": True},
            "description": "409: what the request conflicts with.",
        },
    },
    "required": ["type", "title", "status", "detail", "instance"],
    "additionalProperties": True,
}


def install(app: FastAPI) -> None:
    """Make the app's OpenAPI document state its problem+json answers."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_problems(security.document_security(generate()))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def document_problems(spec: dict[str, Any]) -> dict[str, Any]:
    """`spec` with every operation's error statuses answering the Problem schema."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    schemas["FieldError"] = FIELD_ERROR_SCHEMA
    schemas["Problem"] = PROBLEM_SCHEMA
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                _document(method, path, item[method])
    return spec


def _document(method: str, path: str, operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    declared = {int(code) for code in responses if code.isdigit() and int(code) >= 400}
    own = OWN_ANSWERS.get((method, path), {})
    for status in sorted(declared | error_statuses(method, path, operation)):
        if status in own:
            responses[str(status)] = own[status]
            continue
        entry = responses.setdefault(str(status), {})
        described = entry.get("description")
        if not described or described == FASTAPI_422:
            entry["description"] = DESCRIPTIONS.get(status, "Error")
        entry["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF}}


def error_statuses(method: str, path: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses an operation can answer, from what it takes and who may call it."""
    places = {p.get("in") for p in operation.get("parameters", [])}
    headers = {str(p.get("name", "")).lower() for p in operation.get("parameters", [])}
    has_body = "requestBody" in operation
    # Any request may carry an oversized body or be refused by the transport guards.
    statuses = {413, 500, *TRANSPORT_ANSWERS}
    if not operation.get(PUBLIC):
        statuses |= {401, 403}
    if method in CHANGES:
        statuses.add(403)  # a foreign Origin
        if (method, path) not in FORM_POSTS:
            statuses.add(415)
    if has_body or places:
        statuses.add(422)
    if "path" in places:
        statuses.add(404)
    if "if-match" in headers:
        statuses |= {412, 428}
    own = set(OWN_ANSWERS.get((method, path), {}))
    return statuses | own | SERVICE_ANSWERS.get((method, path), set())
