"""problem+json answers sent below FastAPI: from ASGI middleware and the HTTP protocol."""

from __future__ import annotations

import json
from collections.abc import Iterable
from http import HTTPStatus

from starlette.types import Send

PROBLEM_JSON = b"application/problem+json"
Headers = Iterable[tuple[bytes, bytes]]


def problem_body(status: int, slug: str, detail: str, instance: str = "") -> bytes:
    """The JSON body of one problem (RFC 9457), in the shape the handler table uses."""
    body = {
        "type": f"urn:drorch:problem:{slug}",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    return json.dumps(body).encode()


async def send_problem(
    send: Send, status: int, slug: str, detail: str, instance: str, headers: Headers = ()
) -> None:
    """Answer an ASGI request with a problem before the app has seen it."""
    raw = problem_body(status, slug, detail, instance)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON),
                (b"content-length", str(len(raw)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": raw})


def http_problem(status: int, slug: str, detail: str) -> bytes:
    """A whole HTTP/1.1 response carrying a problem, for the protocol to write and close."""
    raw = problem_body(status, slug, detail)
    head = (
        f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
        f"content-type: application/problem+json\r\n"
        f"content-length: {len(raw)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + raw
