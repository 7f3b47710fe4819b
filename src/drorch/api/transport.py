"""uvicorn's HTTP protocol with bounds on the request line, the headers and their time.

Unbounded, a client can hold a connection open by sending headers slowly, or make the
server buffer megabytes of headers. The refusals are problem+json like every other answer.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from drorch.api.raw_problems import http_problem

# Each header line adds ": " and CRLF to its name and value.
HEADER_OVERHEAD = 4


@dataclass(frozen=True)
class TransportLimits:
    """How much a request line and the headers may hold, and how long they may take."""

    request_line_bytes: int
    header_bytes: int
    header_seconds: float


class _Refused(Exception):
    """Raised from a parser callback to stop parsing; the protocol then answers."""


class BoundedHttpProtocol(HttpToolsProtocol):
    """HttpToolsProtocol refusing overlong request lines (414), headers (431), slow ones (408)."""

    limits: ClassVar[TransportLimits]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._refusal: bytes | None = None
        self._url_bytes = 0
        self._header_bytes = 0
        self._reading_headers = False
        self._header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Start the clock: a connection that never sends its headers is closed."""
        super().connection_made(transport)
        self._arm_header_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        """Stop the header clock with the connection."""
        self._disarm_header_timer()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        """A new request: count its bytes from zero; its headers must arrive in time."""
        super().on_message_begin()
        self._url_bytes = self._header_bytes = 0
        self._reading_headers = True
        if self._header_timer is None:
            self._arm_header_timer()

    def on_url(self, url: bytes) -> None:
        """Collect the URL, refusing it once it is over the bound."""
        self._url_bytes += len(url)
        if self._url_bytes > self.limits.request_line_bytes:
            limit = self.limits.request_line_bytes
            self._refuse(414, "uri-too-long", f"request lines are limited to {limit} bytes")
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        """Collect one header, refusing the request once the headers are over the bound."""
        self._header_bytes += len(name) + len(value) + HEADER_OVERHEAD
        if self._header_bytes > self.limits.header_bytes:
            limit = self.limits.header_bytes
            detail = f"request headers are limited to {limit} bytes in all"
            self._refuse(431, "headers-too-large", detail)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        """The headers are in: the request runs without the header clock."""
        self._reading_headers = False
        self._disarm_header_timer()
        super().on_headers_complete()

    def send_400_response(self, msg: str) -> None:
        """Answer a refused or unparsable request with problem+json and close."""
        detail = "the request is not valid HTTP/1.1"
        answer = self._refusal or http_problem(400, "malformed-request", detail)
        self._write_and_close(answer)

    def _refuse(self, status: int, slug: str, detail: str) -> None:
        self._refusal = http_problem(status, slug, detail)
        raise _Refused

    def _arm_header_timer(self) -> None:
        self._header_timer = self.loop.call_later(self.limits.header_seconds, self._headers_late)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_late(self) -> None:
        """Close a connection whose request headers did not arrive in time (408 if begun)."""
        self._header_timer = None
        if self.transport.is_closing():
            return
        if not self._reading_headers:
            self.transport.close()
            return
        seconds = self.limits.header_seconds
        detail = f"the request headers did not arrive within {seconds:g} s"
        self._write_and_close(http_problem(408, "request-timeout", detail))

    def _write_and_close(self, answer: bytes) -> None:
        if not self.transport.is_closing():
            self.transport.write(answer)
            self.transport.close()


def bounded_protocol(limits: TransportLimits) -> type[BoundedHttpProtocol]:
    """The protocol class uvicorn should use for these limits."""
    return type("DrorchHttpProtocol", (BoundedHttpProtocol,), {"limits": limits})
