"""The sandbox over HTTP: DRS's restJson1 wire protocol at the root, admin under /_sandbox/."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from drorch.sandbox import admin, ec2_front, protocol, ssm_front, standby_api, sts
from drorch.sandbox.core import Sandbox
from drorch.sandbox.errors import AccessDenied, DrsFault, Internal, Throttled, Validation
from drorch.sandbox.operations import HANDLERS
from drorch.sandbox.render import encode

log = logging.getLogger(__name__)
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"]
MAX_BODY = 4 * 1024 * 1024
CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/,\s]+)/([^/,\s]+)/aws4_request")


def create_app(sandbox: Sandbox) -> Starlette:
    """An ASGI app serving this sandbox (mountable under any prefix)."""

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            sandbox.save()

    async def drs(request: Request) -> Response:
        return await handle(sandbox, request)

    routes = [
        *admin.routes(sandbox),
        *standby_api.routes(sandbox),
        Route("/{path:path}", drs, methods=METHODS),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.sandbox = sandbox
    return app


async def handle(sandbox: Sandbox, request: Request) -> Response:
    """Answer one DRS request; every failure becomes a DRS-shaped error, never a crash."""
    try:
        return await _dispatch(sandbox, request)
    except DrsFault as fault:
        return error_response(fault)
    except Exception:  # the sandbox must answer, not crash, whatever it is sent
        log.exception("sandbox failed on %s %s", request.method, request.url.path)
        return error_response(Internal("the sandbox failed on this request; see its log"))


async def _dispatch(sandbox: Sandbox, request: Request) -> Response:
    path = _relative_raw_path(request)
    if _signed_for(request) == "ec2":
        return await ec2_front.handle(sandbox, request)
    if _signed_for(request) == "ssm":
        account, region = credentials(sandbox, request)
        return await ssm_front.handle(sandbox, request, account, region)
    if _is_query_protocol(request, path):
        return await _sts(sandbox, request)
    found = protocol.match(request.method, path)
    if found is None:
        raise Validation(
            f"no DRS operation answers {request.method} {path}", reason="unknownOperation"
        )
    route, uri = found
    sandbox.count_call(route.name)
    account, region = credentials(sandbox, request)
    sandbox.log_key(route.name, account, region, signing_key(request))
    _throttle(sandbox, account, region, route.name)
    await request.body()  # read first: the disconnect check below must not swallow it
    droppable = route.name in sandbox.faults.drop_if_gone  # as set when the request arrived
    await _hold(sandbox.faults.latency_for(route.name))
    if droppable and await request.is_disconnected():
        raise Internal(f"{route.name} dropped: its caller went away before it arrived")
    if route.name not in HANDLERS:
        raise Validation(
            f"the drorch DRS sandbox does not implement {route.name}", reason="unknownOperation"
        )
    params = await _params(request, route.name, uri)
    result = sandbox.call(route.name, account, region, params, wire=True)
    # The work is done (a job exists); a client that stops waiting now has lost the answer.
    await _hold(sandbox.faults.latency_after_for(route.name))
    return _json(result, route.status)


async def _hold(seconds: float) -> None:
    if seconds > 0:
        await asyncio.sleep(seconds)


def _relative_raw_path(request: Request) -> str:
    # Labels such as ARNs arrive percent-encoded; match on the raw path below any mount.
    raw = request.scope.get("raw_path") or request.url.path.encode()
    text = raw.decode("latin-1").split("?", 1)[0]
    root = request.scope.get("root_path", "")
    for prefix in (quote(root), root):
        if prefix and text.startswith(prefix):
            return text[len(prefix) :] or "/"
    return text


def _credential(request: Request) -> tuple[str, str]:
    """(access key, Region) of the request's SigV4 credential."""
    header = request.headers.get("authorization", "")
    found = CREDENTIAL.search(header)
    if found is None:
        query = request.query_params.get("X-Amz-Credential", "")
        found = CREDENTIAL.search(f"Credential={query}")
    if found is None:
        raise AccessDenied("requests must carry a SigV4 Authorization header")
    access_key, _, region, _ = found.groups()
    return access_key, region


def _signed_for(request: Request) -> str | None:
    """The service named in the request's SigV4 credential scope (None when unsigned)."""
    found = CREDENTIAL.search(request.headers.get("authorization", ""))
    return found.group(4) if found else None


def signing_key(request: Request) -> str:
    """The access key that signed the request."""
    return _credential(request)[0]


def credentials(sandbox: Sandbox, request: Request) -> tuple[str, str]:
    """(account, region) from the SigV4 credential: access key -> account, scope -> Region."""
    access_key, region = _credential(request)
    return sandbox.account_for_key(access_key), region


def _is_query_protocol(request: Request, path: str) -> bool:
    # STS's query protocol posts a form to the root; DRS posts JSON to /<Operation>.
    kind = request.headers.get("content-type", "")
    return request.method == "POST" and path == "/" and kind.startswith(sts.FORM)


async def _sts(sandbox: Sandbox, request: Request) -> Response:
    """STS AssumeRole: trust checked, keys issued; errors as the query protocol sends them."""
    try:
        form = sts.parse_form(await request.body())
        if form.get("Action") != "AssumeRole":
            action = form.get("Action")
            raise sts.StsFault(
                "InvalidAction", f"the sandbox's STS answers AssumeRole, not {action}"
            )
        try:
            _credential(request)
            _throttle(sandbox, "sts", "global", "AssumeRole")
        except Throttled as fault:
            raise sts.StsFault("Throttling", fault.message) from None
        except AccessDenied as fault:
            raise sts.StsFault("MissingAuthenticationToken", fault.message, status=403) from None
        key, secret, issued = sandbox.sts.assume_role(form, sandbox.clock.now())
        return _xml(sts.assume_role_xml(key, secret, issued), 200)
    except sts.StsFault as fault:
        return _xml(sts.error_xml(fault), fault.status)


def _xml(document: str, status: int) -> Response:
    return Response(document, status_code=status, media_type="text/xml")


def _throttle(sandbox: Sandbox, account: str, region: str, operation: str) -> None:
    limit = sandbox.faults.limit_for(operation)
    if limit is None:
        return
    wait = sandbox.throttle.check((account, region, operation), limit)
    if wait is not None:
        raise Throttled(
            f"{operation} is throttled to {limit.rate:g} requests/s in {account}/{region}",
            retry_after=wait,
        )


async def _params(request: Request, operation: str, uri: dict[str, str]) -> dict[str, Any]:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise Validation("request body is too large", reason="other")
    body: Any = {}
    if raw.strip():
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise Validation(f"request body is not JSON: {exc}", reason="cannotParse") from exc
    if not isinstance(body, dict):
        raise Validation("request body must be a JSON object", reason="cannotParse")
    op = protocol.service_model().operation_model(operation)
    params = protocol.request_params(op, body, uri, request.url.query)
    protocol.check_input(op, params)
    return params


def error_response(fault: DrsFault) -> Response:
    """The restJson1 error: status of the error shape, type header, JSON body."""
    headers = {"x-amzn-ErrorType": fault.code, "x-amzn-RequestId": str(uuid.uuid4())}
    if fault.retry_after is not None:
        headers["Retry-After"] = str(fault.retry_after)
    status = protocol.error_status(fault.code)
    return _json(fault.body(), status, headers)


def _json(body: dict[str, Any], status: int, headers: dict[str, str] | None = None) -> Response:
    merged = {"x-amzn-RequestId": str(uuid.uuid4()), **(headers or {})}
    content = encode(body).encode()
    return Response(content, status_code=status, media_type="application/json", headers=merged)
