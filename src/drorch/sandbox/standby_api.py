"""A stand-in for the bookings platform's standby API, which the failover plan checks.

The seed runbook's last step checks that the API in the standby Region answers. The demo
has no such API, so the sandbox answers for it: `GET /_sandbox/standby-api/health?table=NAME`
is 200 when the table that API would serve from exists and is ACTIVE in the standby Region
of the embedded moto, and 503 otherwise. So the plan's `http_check` passes only once the plan
has really restored that table, and fails when the restore did not happen.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from drorch.sandbox import aws_seed

PATH = "/_sandbox/standby-api/health"


def routes(sandbox: Any) -> list[BaseRoute]:
    """The standby API's health route, bound to one sandbox (and its seeded moto)."""

    async def health(request: Request) -> JSONResponse:
        seeded = getattr(sandbox, "aws_seeded", None)
        table = request.query_params.get("table") or aws_seed.BOOKINGS_RESTORED
        if seeded is None:
            return _unavailable(table, "the embedded AWS is not seeded (serve --sandbox)")
        found = await run_in_threadpool(table_state, seeded, table)
        if found is None:
            return _unavailable(table, f"table {table} does not exist in {seeded.standby_region}")
        status, items = found
        if status != "ACTIVE":
            return _unavailable(table, f"table {table} is {status}")
        body = {"status": "ok", "region": seeded.standby_region, "table": table, "items": items}
        return JSONResponse(body)

    return [Route(PATH, health, methods=["GET", "HEAD"])]


def table_state(seeded: aws_seed.Seeded, table: str) -> tuple[str, int] | None:
    """(status, item count) of `table` in the standby Region, None when it does not exist."""
    db = _dynamodb(seeded)
    try:
        found = db.describe_table(TableName=table)["Table"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
            return None
        raise
    except BotoCoreError:
        return None  # moto is not answering: the standby API cannot serve either
    return str(found.get("TableStatus", "")), int(found.get("ItemCount", 0))


@cache
def _dynamodb(seeded: aws_seed.Seeded) -> Any:
    # One client per seeding (boto3 clients are thread-safe; making one costs a model load).
    return aws_seed.clients(seeded.url, seeded.account_id).client("dynamodb", seeded.standby_region)


def _unavailable(table: str, reason: str) -> JSONResponse:
    return JSONResponse({"status": "unavailable", "table": table, "reason": reason}, 503)
