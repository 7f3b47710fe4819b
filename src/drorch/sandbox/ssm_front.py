"""SSM over HTTP (JSON 1.1): requests signed for `ssm` reach the sandbox's Automation."""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from drorch.sandbox.errors import AccessDenied
from drorch.sandbox.ssm import OPERATIONS, SsmFault

if TYPE_CHECKING:
    from drorch.sandbox.core import Sandbox

TARGET = "AmazonSSM."
MEDIA = "application/x-amz-json-1.1"


async def handle(sandbox: Sandbox, request: Request, account: str, region: str) -> Response:
    """Answer one SSM Automation call for the caller's account and Region."""
    target = request.headers.get("x-amz-target", "")
    operation = target.removeprefix(TARGET)
    try:
        found = OPERATIONS.get(operation) if target.startswith(TARGET) else None
        if found is None:
            raise SsmFault("InvalidAction", f"the sandbox's SSM answers Automation, not {target}")
        body = json.loads(await request.body() or b"{}")
        sandbox.count_call(f"ssm:{operation}")
        answer: Any = found(sandbox.ssm, (account, region), body)
        return _json(answer, 200)
    except SsmFault as fault:
        return _json({"__type": fault.code, "message": fault.message}, fault.status)
    except (ValueError, AccessDenied) as exc:
        return _json({"__type": "ValidationException", "message": str(exc)}, 400)


def _json(body: Any, status: int) -> Response:
    headers = {"x-amzn-RequestId": str(uuid.uuid4())}
    return Response(json.dumps(body, default=str), status, headers=headers, media_type=MEDIA)
