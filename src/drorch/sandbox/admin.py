"""The admin API (not part of DRS): stats, clock, faults, reset, accounts."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from drorch.sandbox.core import Sandbox
from drorch.sandbox.faults import ANY, FaultsRequest
from drorch.sandbox.protocol import service_model
from drorch.sandbox.wire import iso

PREFIX = "/_sandbox"


class AdvanceRequest(BaseModel):
    """Body of `POST /_sandbox/clock/advance`."""

    model_config = ConfigDict(extra="forbid")
    seconds: float = Field(ge=0, le=10 * 365 * 86400)


class TrustRequest(BaseModel):
    """Body of `PUT /_sandbox/accounts/{id}/trust`: how the spoke role was deployed."""

    model_config = ConfigDict(extra="forbid")

    role_arn: str | None = Field(default=None, description="Default: .../role/drorch-target.")
    external_id: str = Field(min_length=2, max_length=1224)


def routes(sandbox: Sandbox) -> list[BaseRoute]:
    """Admin routes bound to one sandbox."""

    async def stats(_: Request) -> JSONResponse:
        return JSONResponse(sandbox.stats())

    async def clock(_: Request) -> JSONResponse:
        return JSONResponse(clock_info(sandbox))

    async def advance(request: Request) -> JSONResponse:
        body = await _body(request, AdvanceRequest)
        if isinstance(body, JSONResponse):
            return body
        sandbox.advance(body.seconds)
        return JSONResponse(clock_info(sandbox))

    async def faults(request: Request) -> JSONResponse:
        if request.method == "GET":
            return JSONResponse(sandbox.describe_faults())
        if request.method == "DELETE":
            return JSONResponse(sandbox.clear_faults())
        return await _add_faults(sandbox, request)

    async def reset(_: Request) -> JSONResponse:
        sandbox.reset()
        return JSONResponse({"reset": True, **clock_info(sandbox)})

    async def accounts(_: Request) -> JSONResponse:
        return JSONResponse(account_list(sandbox))

    async def trust(request: Request) -> JSONResponse:
        body = await _body(request, TrustRequest)
        if isinstance(body, JSONResponse):
            return body
        account = request.path_params["account"]
        try:
            recorded = sandbox.sts.set_trust(account, body.role_arn, body.external_id)
        except KeyError:
            return _problem(404, f"the fleet has no account {account}")
        return JSONResponse({"account_id": account, "role_arn": recorded.role_arn})

    async def calls(_: Request) -> JSONResponse:
        with sandbox.lock:
            return JSONResponse(list(sandbox.key_log))

    return [
        Route(f"{PREFIX}/stats", stats, methods=["GET"]),
        Route(f"{PREFIX}/clock", clock, methods=["GET"]),
        Route(f"{PREFIX}/clock/advance", advance, methods=["POST"]),
        Route(f"{PREFIX}/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route(f"{PREFIX}/reset", reset, methods=["POST"]),
        Route(f"{PREFIX}/accounts", accounts, methods=["GET"]),
        Route(f"{PREFIX}/accounts/{{account}}/trust", trust, methods=["PUT"]),
        Route(f"{PREFIX}/calls", calls, methods=["GET"]),
    ]


def clock_info(sandbox: Sandbox) -> dict[str, Any]:
    """What the clock says."""
    now = sandbox.clock.now()
    return {
        "mode": sandbox.clock.mode,
        "time_scale": sandbox.clock.time_scale,
        "now": iso(now),
        "epoch": now,
    }


def account_list(sandbox: Sandbox) -> list[dict[str, Any]]:
    """Accounts with an access key and Regions each (how drorch finds its scopes)."""
    regions = sandbox.fleet.account_regions()
    return [
        {"account_id": a.id, "name": a.name, "access_key": a.keys[0], "regions": regions[a.id]}
        for a in sandbox.fleet.accounts
    ]


async def _add_faults(sandbox: Sandbox, request: Request) -> JSONResponse:
    body = await _body(request, FaultsRequest)
    if isinstance(body, JSONResponse):
        return body
    problem = _check_tables(body)
    if problem is not None:
        return _problem(400, problem)
    try:
        return JSONResponse(sandbox.add_faults(body))
    except KeyError as exc:
        missing = str(exc.args[0])
        what = "server" if missing.startswith("s-") else "job"
        return _problem(404, f"no {what} {missing} to fault")


def _check_tables(body: FaultsRequest) -> str | None:
    """What is wrong with the per-operation tables of a fault request, if anything."""
    # STS AssumeRole is served too, so it can be throttled like a DRS operation.
    known = set(service_model().operation_names) | {ANY, "AssumeRole"}
    # Each table's smallest allowed value, and whether the value itself may equal it.
    tables = {
        "throttle": (body.throttle, 0.0, False),
        "throttle_burst": (body.throttle_burst, 1.0, True),
        "latency": (body.latency, 0.0, True),
        "latency_after": (body.latency_after, 0.0, True),
    }
    for field, (table, least, inclusive) in tables.items():
        for name, value in table.items():
            if name not in known:
                return f"{field}: unknown operation {name!r} (use a DRS operation, AssumeRole or *)"
            if value < least or (value == least and not inclusive):
                bound = f"at least {least:g}" if inclusive else f"over {least:g}"
                return f"{field}.{name}: value must be {bound}"
    return None


async def _body(request: Request, model: type[Any]) -> Any:
    raw = await request.body()
    try:
        return model.model_validate(json.loads(raw or b"{}"))
    except (ValueError, ValidationError) as exc:
        return _problem(400, f"invalid body: {exc}")


def _problem(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)
