"""The embedded DRS sandbox's calls answered in the calling thread, off the API's event loop.

In `drorch serve --sandbox` the sandbox is an ASGI app mounted in the API's own server. Sent
over loopback HTTP, every DRS call the engine makes was parsed, routed and answered on the
API's event loop, so 20 running drills made the API's clients wait behind them. Here a
botocore `before-send` handler gives each request for the sandbox's URL to the same ASGI app,
run on an event loop of the calling thread: botocore still builds, signs and parses the wire
protocol, the sandbox still checks the signature, routes and applies its faults, and only
the socket and the API's loop are left out. A call that outlasts the client's read timeout
(a latency fault) ends as a `ReadTimeoutError`, as it would over HTTP.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urlsplit

from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.exceptions import ReadTimeoutError
from starlette.types import ASGIApp, Message

from drorch.ports.sessions import AccountAccess, SessionProvider

DEFAULT_READ_TIMEOUT = 60.0  # botocore's own default: what an HTTP call would wait
HANDLER_ID = "drorch-sandbox-in-process"


class _Body:
    """A whole response body, as botocore reads a raw HTTP response."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        """The body in one chunk."""
        yield self.read()

    def read(self, *_: Any, **__: Any) -> bytes:
        """The rest of the body."""
        data, self._data = self._data, b""
        return data


class InProcessSandbox:
    """Answers a client's requests for `url` and below with `app`, in the calling thread."""

    def __init__(self, app: ASGIApp, url: str, *, timeout: float = DEFAULT_READ_TIMEOUT) -> None:
        self.app = app
        self.url = url.rstrip("/")
        self.timeout = timeout
        parts = urlsplit(self.url)
        self._root = parts.path
        self._server = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._local = threading.local()

    def attach(self, target: Any) -> Any:
        """A boto3 session or client, its requests for the sandbox answered here.

        A session passes the handler on to the clients made from it afterwards; requests for
        any other URL go out as usual.
        """
        events = target.events if hasattr(target, "events") else target.meta.events
        events.register("before-send", self._before_send, unique_id=HANDLER_ID)
        return target

    def _before_send(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse | None:
        if request.url != self.url and not request.url.startswith(self.url + "/"):
            return None
        return self.send(request)

    def send(self, request: AWSPreparedRequest) -> AWSResponse:
        """The sandbox's answer to one prepared request (ReadTimeoutError past the timeout)."""
        loop = self._loop()
        try:
            status, headers, body = loop.run_until_complete(
                asyncio.wait_for(self._call(request), self.timeout)
            )
        except TimeoutError as exc:
            raise ReadTimeoutError(endpoint_url=request.url) from exc
        return AWSResponse(request.url, status, headers, _Body(body))

    def _loop(self) -> asyncio.AbstractEventLoop:
        if _running_loop() is not None:
            # Over HTTP such a call would have waited on the very loop it blocks.
            raise RuntimeError("call the embedded sandbox from a worker thread, not an event loop")
        loop: asyncio.AbstractEventLoop | None = getattr(self._local, "loop", None)
        if loop is None or loop.is_closed():
            loop = self._local.loop = asyncio.new_event_loop()
        return loop

    async def _call(self, request: AWSPreparedRequest) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(request.url)
        body = _bytes(request.body)
        headers = [(k.lower().encode("latin-1"), _header(v)) for k, v in request.headers.items()]
        headers.append((b"host", parts.netloc.encode("latin-1")))
        if not any(name == b"content-length" for name, _ in headers):
            headers.append((b"content-length", str(len(body)).encode()))
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": parts.scheme,
            "path": unquote(parts.path),
            "raw_path": parts.path.encode("latin-1"),
            "query_string": parts.query.encode("latin-1"),
            "root_path": self._root,
            "headers": headers,
            "client": ("127.0.0.1", 0),
            "server": self._server,
        }
        answer = _Answer()
        await self.app(scope, _receiver(body), answer)
        return answer.status, answer.headers, b"".join(answer.body)


class _Answer:
    """Collects an ASGI response."""

    def __init__(self) -> None:
        self.status = 500
        self.headers: dict[str, str] = {}
        self.body: list[bytes] = []

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
            self.headers = {
                k.decode("latin-1"): v.decode("latin-1") for k, v in message.get("headers", [])
            }
        elif message["type"] == "http.response.body":
            self.body.append(bytes(message.get("body", b"")))


def _receiver(body: bytes) -> Any:
    """An ASGI receive: the whole body once, then a client that stays connected."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # never set: the caller waits for its answer
        return {"type": "http.disconnect"}

    return receive


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode()
    if isinstance(body, bytes | bytearray):
        return bytes(body)
    return bytes(body.read())


def _header(value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode("latin-1")


class InProcessSessions:
    """A session provider whose sessions reach the embedded sandbox in-process."""

    def __init__(self, inner: SessionProvider, transport: InProcessSandbox) -> None:
        self._inner = inner
        self._transport = transport

    def session(self, access: AccountAccess | None, *, purpose: str) -> Any:
        """The inner provider's session, its sandbox requests answered in the caller's thread."""
        return self._transport.attach(self._inner.session(access, purpose=purpose))
