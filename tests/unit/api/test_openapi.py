"""The OpenAPI document states every error answer as problem+json, and the tests check it."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from drorch.adapters.storage.sqlite import SqliteStore
from drorch.api.app import create_app
from drorch.api.openapi import document_problems
from drorch.bootstrap import bootstrap
from drorch.config import Settings
from tests.support.openapi_check import ContractBroken, Spec, check_against

GROUP = "/api/v1/protection-groups/{group_id}"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    container = bootstrap(Settings(runner_enabled=False), store=SqliteStore(":memory:"))
    document: dict[str, Any] = create_app(container).openapi()
    return document


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    ]


def test_no_operation_documents_fastapis_validation_shape(spec: dict[str, Any]) -> None:
    assert "HTTPValidationError" not in json.dumps(spec)
    for method, path, operation in operations(spec):
        for status, answer in operation["responses"].items():
            if int(status) >= 400 and (method, path) != ("get", "/health"):
                assert list(answer["content"]) == ["application/problem+json"], (path, status)
                assert answer["content"]["application/problem+json"]["schema"] == {
                    "$ref": "#/components/schemas/Problem"
                }


def test_the_problem_schema_lists_field_errors(spec: dict[str, Any]) -> None:
    problem = spec["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "instance"}
    assert problem["properties"]["errors"]["items"] == {"$ref": "#/components/schemas/FieldError"}
    assert spec["components"]["schemas"]["FieldError"]["required"] == ["path", "message"]


def test_each_operation_lists_the_statuses_it_can_answer(spec: dict[str, Any]) -> None:
    statuses = {(m, p): set(o["responses"]) for m, p, o in operations(spec)}
    assert {"404", "409", "412", "422", "428", "400", "413"} <= statuses[("put", GROUP)]
    assert {"404", "409", "412", "428"} <= statuses[("delete", GROUP)]
    assert {"412", "428"}.isdisjoint(statuses[("get", GROUP)])
    # Any request may meet the transport guards (a foreign Host, slow or huge headers).
    assert all({"400", "408", "414", "431"} <= s for s in statuses.values())
    assert "415" not in statuses[("get", "/api/v1/protection-groups")]
    assert "415" in statuses[("post", "/api/v1/executions/{execution_id}/pause")]
    assert "415" not in statuses[("post", "/api/v1/auth/token")]  # the OAuth2 form
    assert {"404", "409"} <= statuses[("post", "/api/v1/executions")]
    assert {"409", "502", "503"} <= statuses[("post", "/api/v1/source-servers/sync")]
    signed_in = [
        set(o["responses"]) for _, _, o in operations(spec) if not o.get("x-drorch-public")
    ]
    assert signed_in and all({"401", "403"} <= s for s in signed_in)
    # A public operation answers 403 only as a change from a foreign Origin.
    public = [(m, set(o["responses"])) for m, _, o in operations(spec) if o.get("x-drorch-public")]
    assert public and all(("403" in s) == (m != "get") for m, s in public)


def test_public_operations_do_not_document_sign_in_answers() -> None:
    app = FastAPI()

    @app.post("/open", openapi_extra={"x-drorch-public": True})
    def open_route(body: dict[str, int]) -> dict[str, int]:
        return body

    @app.get("/closed/{item}")
    def closed(item: str) -> str:
        return item

    spec = document_problems(app.openapi())
    assert {"400", "422"} <= set(spec["paths"]["/open"]["post"]["responses"])
    assert "401" not in spec["paths"]["/open"]["post"]["responses"]
    assert {"401", "403", "404"} <= set(spec["paths"]["/closed/{item}"]["get"]["responses"])


def answer(status: int, body: Any, media: str = "application/problem+json") -> httpx.Response:
    request = httpx.Request("PUT", "http://127.0.0.1:1/api/v1/protection-groups/pg-000000000001")
    content = json.dumps(body).encode()
    return httpx.Response(status, content=content, headers={"content-type": media}, request=request)


def problem(status: int, **extra: Any) -> dict[str, Any]:
    base = {"type": "urn:x", "title": "t", "status": status, "detail": "d", "instance": "/"}
    return {**base, **extra}


def test_the_check_accepts_a_documented_problem(spec: dict[str, Any]) -> None:
    errors = [{"path": "name", "message": "required", "in": "body"}]
    check_against(Spec(spec), answer(422, problem(422, errors=errors)))


@pytest.mark.parametrize(
    ("response", "why"),
    [
        (answer(418, problem(418)), "does not list"),
        (answer(428, problem(428), media="application/json"), "application/json"),
        (answer(412, {"detail": "a string"}), "missing 'type'"),
        (answer(422, problem(422, errors=[{"path": 3}])), "expected string"),
        (answer(200, {"id": "pg-1"}, media="application/json"), "missing 'name'"),
    ],
)
def test_the_check_refuses_what_the_document_does_not_state(
    spec: dict[str, Any], response: httpx.Response, why: str
) -> None:
    with pytest.raises(ContractBroken, match=why):
        check_against(Spec(spec), response)
