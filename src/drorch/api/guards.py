"""Browser-facing guards: allowed Host names, same-origin writes, JSON bodies, headers.

A DNS-rebinding page reaches the API under a foreign Host name; a cross-site form can
POST without a preflight when its content type is a "simple" one. So every request must
name an allowed host, every state-changing request must come from an allowed Origin (or
none, as non-browser clients send) and carry a JSON content type, body or not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from drorch.api.raw_problems import send_problem

MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# The OAuth2 password sign-in is a form post by definition; it keeps the Origin rule.
FORM_ROUTES = frozenset({("POST", "/api/v1/auth/token")})
# No inline script may run on our origin; frames of our pages are refused everywhere.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
)


@dataclass(frozen=True)
class GuardRules:
    """What the guards allow: host names (`*` = any) and cross-origin callers."""

    hosts: frozenset[str]
    origins: frozenset[str]

    @classmethod
    def of(cls, hosts: Iterable[str], origins: Iterable[str]) -> GuardRules:
        """Rules with names compared case-insensitively, origins without a trailing /."""
        return cls(
            hosts=frozenset(_bare_host(h.lower()) for h in hosts),
            origins=frozenset(o.lower().rstrip("/") for o in origins),
        )

    def host_allowed(self, host: str) -> bool:
        """True when the Host header (port and all) names an allowed host."""
        return "*" in self.hosts or _bare_host(host.lower()) in self.hosts


class Guards:
    """ASGI middleware applying the guard rules and adding the security headers."""

    def __init__(self, app: ASGIApp, rules: GuardRules) -> None:
        self.app = app
        self.rules = rules

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            status, slug, detail = refusal
            await send_problem(send, status, slug, detail, scope["path"], SECURITY_HEADERS)
            return

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in SECURITY_HEADERS if n not in present]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, secured)

    def _refusal(self, scope: Scope) -> tuple[int, str, str] | None:
        """(status, problem slug, detail) when the request is refused, else None."""
        headers = _headers(scope)
        host = headers.get("host", "")
        if not self.rules.host_allowed(host):
            return 400, "host-not-allowed", f"this server does not answer for host {host!r}"
        method = scope["method"]
        if method not in MUTATING:
            return None
        origin = headers.get("origin")
        if origin is not None and not self._origin_allowed(origin, host):
            detail = f"requests that change state are not accepted from origin {origin!r}"
            return 403, "origin-not-allowed", detail
        if _needs_json(method, scope["path"]) and not _is_json(headers.get("content-type", "")):
            given = headers.get("content-type") or "none"
            detail = f"send Content-Type: application/json (got {given})"
            return 415, "unsupported-media-type", detail
        return None

    def _origin_allowed(self, origin: str, host: str) -> bool:
        origin = origin.lower().rstrip("/")
        # Our own pages: the Origin names the Host the request came to. The scheme is left
        # out, as behind a proxy ending TLS the browser's https is http here.
        own = origin.partition("://")[2] == host.lower()
        return own or origin in self.rules.origins


def _headers(scope: Scope) -> dict[str, str]:
    # The first of a repeated header wins; latin-1 maps every byte, so decoding never fails.
    found: dict[str, str] = {}
    for name, value in scope.get("headers", []):
        found.setdefault(name.decode("latin-1").lower(), value.decode("latin-1"))
    return found


def _bare_host(host: str) -> str:
    """The host name without its port: `[::1]:8080` -> `::1`, `a:80` -> `a`."""
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    if host.count(":") == 1:
        return host.split(":", 1)[0]
    return host


def _needs_json(method: str, path: str) -> bool:
    # The embedded DRS sandbox speaks the DRS wire protocol, not ours.
    return path.startswith("/api/") and (method, path) not in FORM_ROUTES


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    structured = media.startswith("application/") and media.endswith("+json")
    return media == "application/json" or structured
