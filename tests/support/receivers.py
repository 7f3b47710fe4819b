"""Local receivers of notifications: a webhook HTTP server and an SMTP sink, on 127.0.0.1.

    with webhook_receiver(answers=[500, 200]) as hook:
        ...  # POSTs to hook.url; hook.requests holds what arrived

Both record everything they receive and answer as scripted, so tests can check retries,
signatures and that nothing arrived twice.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from tests.support.server import HOST, free_port


@dataclass(frozen=True)
class Received:
    """One request the webhook receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """Where a receiver listens, what it got, and the statuses it still has to answer."""

    url: str
    answers: list[int]
    requests: list[Received] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)  # GET answers' bodies, in order
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_status(self) -> int:
        """The next scripted status; 200 once the script is used up."""
        with self.lock:
            return self.answers.pop(0) if self.answers else 200

    def next_body(self) -> bytes:
        """The next scripted GET body; `ok` once the script is used up."""
        with self.lock:
            return self.bodies.pop(0) if self.bodies else b"ok"

    def record(self, received: Received) -> None:
        """Keep a request."""
        with self.lock:
            self.requests.append(received)

    def delivery_ids(self) -> list[str]:
        """The delivery id of every request, in arrival order."""
        with self.lock:
            return [r.headers["x-drorch-delivery"] for r in self.requests]


@contextmanager
def webhook_receiver(answers: Sequence[int] = ()) -> Iterator[WebhookReceiver]:
    """An HTTP server on 127.0.0.1 recording POSTs and answering the scripted statuses."""
    port = free_port()
    receiver = WebhookReceiver(f"http://{HOST}:{port}/hook", list(answers))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            receiver.record(Received(self.path, headers, body))
            status = receiver.next_status()
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def do_GET(self) -> None:
            # A health endpoint for http_check steps: answers the script, body from `bodies`.
            headers = {k.lower(): v for k, v in self.headers.items()}
            receiver.record(Received(self.path, headers, b""))
            status = receiver.next_status()
            body = receiver.next_body()
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: tests read `requests`, not stderr."""

    server = ThreadingHTTPServer((HOST, port), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


@dataclass(frozen=True)
class Mail:
    """One message the SMTP sink accepted."""

    sender: str
    recipients: list[str]
    content: bytes
    login: str | None


class _Handler:
    """aiosmtpd handler keeping every message."""

    def __init__(self) -> None:
        self.mails: list[Mail] = []
        self.logins: dict[int, str] = {}  # id(session) -> the login it passed

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        login = self.logins.get(id(session))
        content = envelope.original_content or b""
        self.mails.append(
            Mail(str(envelope.mail_from), list(envelope.rcpt_tos), bytes(content), login)
        )
        return "250 Message accepted"


@dataclass
class SmtpSink:
    """A running SMTP sink: where it listens and what it accepted."""

    host: str
    port: int
    handler: _Handler

    @property
    def mails(self) -> list[Mail]:
        """Messages accepted so far."""
        return list(self.handler.mails)


@contextmanager
def smtp_sink(*, username: str | None = None, password: str | None = None) -> Iterator[SmtpSink]:
    """An SMTP server on 127.0.0.1 (plain, no TLS); with a username it demands that login."""
    handler = _Handler()
    port = free_port()

    def check(server: Any, session: Session, envelope: Envelope, mechanism: str, data: Any) -> Any:
        ok = isinstance(data, LoginPassword) and (
            data.login.decode(),
            data.password.decode(),
        ) == (username, password)
        if ok:
            handler.logins[id(session)] = data.login.decode()
        return AuthResult(success=ok, handled=False)

    extra: dict[str, Any] = {}
    if username is not None:
        extra = {"authenticator": check, "auth_required": True, "auth_require_tls": False}
    controller = Controller(handler, hostname=HOST, port=port, **extra)
    controller.start()
    try:
        yield SmtpSink(HOST, port, handler)
    finally:
        controller.stop()
