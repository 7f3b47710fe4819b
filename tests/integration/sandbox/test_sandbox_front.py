"""The embedded sandbox is answered before the API's middleware, with the Host guard kept."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from drorch.api.app import create_app
from drorch.api.sandbox_front import MAX_DECLARED_BODY
from drorch.bootstrap import bootstrap
from drorch.config import Settings
from tests.support.sandbox import serve_app

LIST_SERVERS = "/sandbox/drs/DescribeSourceServers"


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    data_dir: Path = tmp_path_factory.mktemp("front")
    settings = Settings(
        data_dir=data_dir, sandbox=True, sandbox_clock="virtual", runner_enabled=False
    )
    container = bootstrap(settings)
    try:
        with serve_app(create_app(container)) as url, httpx.Client(base_url=url) as http:
            yield http
    finally:
        container.stop()


def test_a_sandbox_call_skips_the_api_stack_but_the_api_keeps_it(client: httpx.Client) -> None:
    sandbox = client.post(LIST_SERVERS, json={})
    # Unsigned: the sandbox itself refuses, in DRS's own error shape rather than problem+json.
    assert sandbox.status_code in (400, 403), sandbox.text
    assert "x-request-id" not in sandbox.headers
    assert not sandbox.headers.get("content-type", "").startswith("application/problem+json")
    api = client.get("/health")
    assert api.status_code == 200 and "x-request-id" in api.headers


def test_a_foreign_host_is_refused_before_the_sandbox(client: httpx.Client) -> None:
    refused = client.post(LIST_SERVERS, json={}, headers={"host": "evil.example"})
    assert refused.status_code == 400
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "evil.example" in refused.json()["detail"]


def test_an_oversized_declared_body_is_refused_unread(client: httpx.Client) -> None:
    url = httpx.URL(str(client.base_url))
    with socket.create_connection((url.host, url.port), timeout=10) as raw:
        # Only the headers go out: the refusal must come without the body being read.
        raw.sendall(
            f"POST {LIST_SERVERS} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {MAX_DECLARED_BODY + 1}\r\n\r\n".encode()
        )
        answer = raw.recv(65536).decode("latin-1")
    assert answer.startswith("HTTP/1.1 413"), answer
    assert "application/problem+json" in answer


def test_a_path_that_only_starts_like_the_prefix_is_the_api_s(client: httpx.Client) -> None:
    other = client.get("/sandbox/drsx")
    assert "x-request-id" in other.headers
