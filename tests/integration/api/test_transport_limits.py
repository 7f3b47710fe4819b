"""Request line, header size and header time are bounded; refusals are problem+json.

Raw sockets: an HTTP client library would refuse to send most of these requests.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.server import HOST, RunningServer, running_server

LIMITS = {
    "DRORCH_MAX_REQUEST_LINE_BYTES": "2048",
    "DRORCH_MAX_HEADER_BYTES": "4096",
    "DRORCH_HEADER_TIMEOUT_SECONDS": "1",
}
# Generous: the server must answer well before it; this only keeps a broken test finite.
READ_TIMEOUT = 20.0


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    data_dir: Path = tmp_path_factory.mktemp("limits")
    with running_server(data_dir, env=LIMITS) as running:
        yield running


def exchange(server: RunningServer, *parts: bytes) -> bytes:
    """Send the parts on a new connection, then read until the server closes it."""
    with socket.create_connection((HOST, server.port), timeout=READ_TIMEOUT) as sock:
        for part in parts:
            sock.sendall(part)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        return received


def parsed(answer: bytes) -> tuple[int, dict[str, str], Any]:
    """(status, headers, JSON body) of one HTTP/1.1 answer."""
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, json.loads(body)


def request(path: str = "/health", headers: bytes = b"") -> bytes:
    return b"GET " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + b"\r\n"


def assert_problem(answer: bytes, status: int, slug: str) -> dict[str, Any]:
    code, headers, body = parsed(answer)
    assert code == status, answer[:300]
    assert headers["content-type"] == "application/problem+json"
    assert body["status"] == status and body["type"] == f"urn:drorch:problem:{slug}"
    return dict(body)


def test_a_request_within_the_limits_is_served(server: RunningServer) -> None:
    answer = exchange(server, request(headers=b"Connection: close\r\n"))
    assert parsed(answer)[0] == 200


def test_an_overlong_request_line_is_414(server: RunningServer) -> None:
    body = assert_problem(exchange(server, request("/" + "a" * 70_000)), 414, "uri-too-long")
    assert "2048 bytes" in body["detail"]


def test_oversized_headers_are_431(server: RunningServer) -> None:
    big = b"X-Filler: " + b"f" * 5000 + b"\r\n"
    assert_problem(exchange(server, request(headers=big)), 431, "headers-too-large")
    many = b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 50) for i in range(200))
    assert_problem(exchange(server, request(headers=many)), 431, "headers-too-large")


def test_a_half_sent_request_is_closed_with_408(server: RunningServer) -> None:
    answer = exchange(server, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1")
    body = assert_problem(answer, 408, "request-timeout")
    assert "within 1 s" in body["detail"]


def test_a_silent_connection_is_closed(server: RunningServer) -> None:
    assert exchange(server) == b""


def test_a_keep_alive_request_after_the_first_is_bounded_too(server: RunningServer) -> None:
    first = request()
    answer = exchange(server, first, b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    assert answer.startswith(b"HTTP/1.1 200 ")
    assert b'"urn:drorch:problem:request-timeout"' in answer


def test_garbage_is_a_400_problem(server: RunningServer) -> None:
    assert_problem(exchange(server, b"NOT HTTP AT ALL\r\n\r\n"), 400, "malformed-request")


def test_a_write_without_any_content_type_is_415(server: RunningServer) -> None:
    raw = (
        b"POST /api/v1/source-servers/sync HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Length: 0\r\nConnection: close\r\n\r\n"
    )
    _, headers, body = parsed(exchange(server, raw))
    assert body["status"] == 415 and headers["content-type"] == "application/problem+json"
