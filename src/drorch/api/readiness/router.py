"""/api/v1/recovery-plans/{id}/readiness and /api/v1/readiness."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from drorch.api.deps import ContainerDep, StoreDep
from drorch.api.query import documented, query_of
from drorch.api.readiness.schemas import (
    ReadinessHistoryQuery,
    ReadinessHistoryRead,
    ReadinessOverviewQuery,
    ReadinessOverviewRead,
    ReadinessRunRead,
    run_read,
)
from drorch.api.security import audited, require
from drorch.bootstrap import readiness_ports
from drorch.domain.identity import Permission, Principal
from drorch.domain.readiness import Trigger
from drorch.services import readiness
from drorch.services.audit import AuditContext

router = APIRouter(prefix="/api/v1", tags=["readiness"])
P = Permission


@router.post(
    "/recovery-plans/{plan_id}/readiness",
    responses={404: {"description": "Unknown plan"}},
)
def run_readiness(
    plan_id: str,
    container: ContainerDep,
    audit: Annotated[AuditContext, audited(P.READINESS_RUN, "plan.readiness")],
) -> ReadinessRunRead:
    """Run every readiness check of the plan now and keep the run (a not-ready plan is 200)."""
    run = readiness.run_readiness(
        plan_id, trigger=Trigger.ON_DEMAND, ports=readiness_ports(container), audit=audit
    )
    return run_read(run)


@router.get(
    "/recovery-plans/{plan_id}/readiness",
    openapi_extra=documented(ReadinessHistoryQuery),
    responses={404: {"description": "Unknown plan"}},
)
def readiness_history(
    plan_id: str,
    store: StoreDep,
    _: Annotated[Principal, require(P.PLANS_READ)],
    params: Annotated[ReadinessHistoryQuery, query_of(ReadinessHistoryQuery)],
) -> ReadinessHistoryRead:
    """The plan's latest run and a page of its history, newest first."""
    latest = readiness.latest_readiness(store=store, plan_id=plan_id)
    page = readiness.readiness_history(
        store=store, plan_id=plan_id, cursor=params.cursor, limit=params.limit
    )
    return ReadinessHistoryRead(
        latest=run_read(latest) if latest else None,
        items=[run_read(r) for r in page.items],
        next_cursor=page.next_cursor,
    )


@router.get("/readiness", openapi_extra=documented(ReadinessOverviewQuery))
def readiness_overview(
    store: StoreDep,
    _: Annotated[Principal, require(P.PLANS_READ)],
    params: Annotated[ReadinessOverviewQuery, query_of(ReadinessOverviewQuery)],
) -> ReadinessOverviewRead:
    """The latest run of every plan checked so far, by plan name."""
    runs = readiness.readiness_overview(store=store)
    failing = readiness.not_ready(runs)
    chosen = [r for r in runs if params.status is None or r.status == params.status]
    return ReadinessOverviewRead(items=[run_read(r) for r in chosen], not_ready=len(failing))
