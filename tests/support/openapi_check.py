"""Every answer a test client receives must match the server's OpenAPI document.

Installed as an httpx response hook on every API client the tests make (tests/support/
server.py and the `client` fixture), so a status, media type or body the document does not
state fails the test that received it, whatever that test meant to check.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.json_schema import problems

SPEC_PATH = "/api/openapi.json"
PROBLEM_JSON = "application/problem+json"
STREAMS = {"text/event-stream"}  # never read here: the body may not end
_specs: dict[str, Spec] = {}
_lock = threading.Lock()


class ContractBroken(AssertionError):
    """An answer the OpenAPI document does not describe."""


@dataclass(frozen=True)
class Route:
    """One path of the document, as a pattern over raw (still percent-encoded) paths."""

    template: str
    pattern: re.Pattern[str]
    params: int


class Spec:
    """A server's OpenAPI document, with its paths ready to match requests."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.routes = [_route(template) for template in document.get("paths", {})]
        # Literal segments win over parameters, as the server's own routing has it.
        self.routes.sort(key=lambda r: r.params)

    def operation(self, method: str, path: str) -> tuple[Route | None, dict[str, Any] | None]:
        """The route a path matches and its operation for the method (None when absent)."""
        matched = [r for r in self.routes if r.pattern.fullmatch(path)]
        for route in matched:
            operation = self.document["paths"][route.template].get(method.lower())
            if operation is not None:
                return route, operation
        return (matched[0] if matched else None), None


def check_response(response: httpx.Response) -> None:
    """httpx response hook: raise ContractBroken when the answer breaks the document."""
    url = response.request.url
    # A CORS preflight (OPTIONS) is answered by the CORS layer, not by an API operation.
    if response.request.method != "OPTIONS" and _in_scope(_raw_path(response)):
        check_against(spec_of(f"{url.scheme}://{url.netloc.decode('ascii')}"), response)


def check_against(spec: Spec, response: httpx.Response) -> None:
    """Raise ContractBroken unless `spec` documents the answer's status, media type and body."""
    request = response.request
    path = _raw_path(response)
    route, operation = spec.operation(request.method, path)
    where = f"{request.method} {path} answered {response.status_code}"
    if operation is None:
        _check_unrouted(response, where, spec, allowed={405} if route else {404, 405})
        return
    documented = operation.get("responses", {})
    answer = documented.get(str(response.status_code)) or documented.get("default")
    if answer is None:
        listed = ", ".join(sorted(documented))
        raise ContractBroken(f"{where}, which the OpenAPI document does not list ({listed})")
    _check_body(response, answer, where, spec)


def spec_of(base_url: str) -> Spec:
    """The OpenAPI document of the server at `base_url`, fetched once per test session."""
    with _lock:
        if base_url not in _specs:
            # Read with a client of its own: this hook is not installed on it.
            answer = httpx.get(f"{base_url}{SPEC_PATH}", timeout=30.0)
            answer.raise_for_status()
            _specs[base_url] = Spec(answer.json())
        return _specs[base_url]


def _raw_path(response: httpx.Response) -> str:
    # Percent-encoding kept, so an encoded slash stays inside one path segment.
    return response.request.url.raw_path.split(b"?", 1)[0].decode("ascii")


def _in_scope(path: str) -> bool:
    # The API and /health; the UI's files, the docs page and the sandbox mount are not in it.
    return path.startswith("/api/v1/") or path == "/api/v1" or path == "/health"


def _check_unrouted(response: httpx.Response, where: str, spec: Spec, allowed: set[int]) -> None:
    if response.status_code not in allowed:
        raise ContractBroken(f"{where}, but the OpenAPI document has no such operation")
    problem = {"content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    _check_body(response, problem, where, spec)


def _check_body(response: httpx.Response, answer: dict[str, Any], where: str, spec: Spec) -> None:
    content: dict[str, Any] = answer.get("content") or {}
    media = response.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if not content:
        if response.read():
            raise ContractBroken(f"{where} with a body, where the document states none")
        return
    if media not in content:
        raise ContractBroken(f"{where} as {media or 'no media type'}, not {sorted(content)}")
    if media in STREAMS:
        return
    schema = content[media].get("schema")
    if not schema:
        return
    try:
        body = json.loads(response.read())
    except ValueError as exc:
        raise ContractBroken(f"{where} with a body that is not JSON ({exc})") from None
    broken = problems(body, schema, spec.document)
    if broken:
        shown = "; ".join(broken[:10])
        raise ContractBroken(f"{where} with a body the document does not allow: {shown}")


def _route(template: str) -> Route:
    parts = re.split(r"(\{[^}]+\})", template)
    regex = "".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts)
    return Route(template, re.compile(regex), template.count("{"))
