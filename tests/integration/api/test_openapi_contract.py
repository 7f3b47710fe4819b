"""The served OpenAPI document matches what the server answers."""

from __future__ import annotations

import httpx

from tests.integration.conftest import GROUPS
from tests.support.openapi_check import check_response, spec_of
from tests.support.server import RunningServer, api_client


def test_every_test_client_checks_answers_against_the_document(
    api: RunningServer, client: httpx.Client
) -> None:
    assert check_response in client.event_hooks["response"]
    with api_client(api) as made:
        assert check_response in made.event_hooks["response"]


def test_the_served_document_states_the_answers_it_gives(
    api: RunningServer, client: httpx.Client
) -> None:
    document = spec_of(api.base_url).document
    item = document["paths"][f"{GROUPS}/{{group_id}}"]
    for method in ("put", "delete"):
        assert {"412", "428"} <= set(item[method]["responses"])
    # Answers the hook checks against that same document as they arrive.
    assert client.delete(f"{GROUPS}/pg-000000000000").status_code == 404
    assert client.get(f"{GROUPS}/pg-000000000000").headers["content-type"] == (
        "application/problem+json"
    )
