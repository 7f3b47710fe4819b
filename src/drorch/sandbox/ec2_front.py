"""EC2 over HTTP: requests signed for `ec2` go to moto as the account their key stands for."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from drorch.sandbox.errors import AccessDenied

if TYPE_CHECKING:
    from drorch.sandbox.core import Sandbox

CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/,\s]+)/ec2/aws4_request")
PASSED = ("content-type", "authorization", "x-amz-date", "x-amz-security-token")


async def handle(sandbox: Sandbox, request: Request) -> Response:
    """Answer one EC2 request (query protocol) from moto's backend for the caller's account."""
    if sandbox.moto is None:
        return _error(400, "UnsupportedOperation", "this sandbox's fleet has no EC2 (fleet: ec2)")
    found = CREDENTIAL.search(request.headers.get("authorization", ""))
    if found is None:
        return _error(401, "AuthFailure", "requests must carry a SigV4 Authorization header")
    key, region = found.groups()
    body = await request.body()
    action = _action(body, request.url.query)
    try:
        account = sandbox.account_for_key(key)
    except AccessDenied as fault:
        return _error(401, "AuthFailure", fault.message)
    scope = sandbox.scopes.get((account, region))
    if scope is not None and scope.ec2 is not None:
        await run_in_threadpool(lambda: scope.ec2.ec2)  # the network exists before any read
    sandbox.count_call(f"ec2:{action}")
    sandbox.log_key(f"ec2:{action}", account, region, key)
    headers = {k: v for k, v in request.headers.items() if k.lower() in PASSED}
    moto = sandbox.moto
    answer = await run_in_threadpool(
        moto.request, account, request.method, str(request.url), headers, body
    )
    kind = answer.headers.get("Content-Type", "text/xml")
    return Response(answer.body, status_code=answer.status, media_type=kind)


def _action(body: bytes, query: str) -> str:
    form = parse_qs(body.decode("utf-8", "replace")) or parse_qs(query)
    return form.get("Action", ["unknown"])[0]


def _error(status: int, code: str, message: str) -> Response:
    document = (
        '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error>'
        f"<Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
        "</Error></Errors><RequestID>sandbox</RequestID></Response>"
    )
    return Response(document, status_code=status, media_type="text/xml")
