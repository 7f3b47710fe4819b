"""The embedded DRS sandbox's front door: its requests go straight to it, past the API.

The sandbox stands for a remote service (DRS, STS, EC2). drorch's own calls reach it
in-process (adapters/aws/sandbox_transport.py); this mount serves everyone else over HTTP
(the CLI, tests, other processes). Sent through the API's stack, each call paid for request
ids, request metrics, the audit of refusals, the guards' header scan and security headers,
the body limit and a walk over every API route before the mount, and showed up in the API's
request metrics as if clients had made them. So the front takes `/sandbox/drs` and below
before any of that.

It keeps the one API guard that matters for a service on 127.0.0.1: the allowed Host names,
so that a DNS-rebinding page cannot drive the sandbox (or its admin API) either. The others
do not apply: DRS clients sign requests rather than send browser Origins, and bodies are
bounded by the declared length the AWS SDKs always send (the sandbox checks them again).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from drorch.api.guards import GuardRules
from drorch.api.raw_problems import send_problem

# Mirrors the sandbox's own bound (sandbox/asgi.py): refused before a byte is buffered.
MAX_DECLARED_BODY = 4 * 1024 * 1024


class SandboxFront:
    """ASGI middleware sending `prefix` and the paths below it to the sandbox app."""

    def __init__(self, app: ASGIApp, sandbox: ASGIApp, prefix: str, rules: GuardRules) -> None:
        self.app = app
        self.sandbox = sandbox
        self.prefix = prefix
        self.rules = rules

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._ours(scope["path"]):
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            status, slug, detail = refusal
            await send_problem(send, status, slug, detail, scope["path"])
            return
        await self.sandbox(self._child(scope), receive, send)

    def _ours(self, path: str) -> bool:
        return path == self.prefix or path.startswith(self.prefix + "/")

    def _refusal(self, scope: Scope) -> tuple[int, str, str] | None:
        """(status, problem slug, detail) for a foreign Host or an oversized body, else None."""
        host = length = b""
        for name, value in scope.get("headers", []):
            if name == b"host" and not host:
                host = value
            elif name == b"content-length" and not length:
                length = value
        text = host.decode("latin-1")
        if not self.rules.host_allowed(text):
            return 400, "host-not-allowed", f"this server does not answer for host {text!r}"
        if length.isdigit() and int(length) > MAX_DECLARED_BODY:
            detail = f"sandbox request bodies are limited to {MAX_DECLARED_BODY} bytes"
            return 413, "payload-too-large", detail
        return None

    def _child(self, scope: Scope) -> Scope:
        """The scope a Starlette mount at `prefix` would hand the sandbox."""
        root = scope.get("root_path", "")
        return {
            **scope,
            "app_root_path": scope.get("app_root_path", root),
            "root_path": root + self.prefix,
            "path_params": {},
        }
