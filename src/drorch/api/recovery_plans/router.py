"""/api/v1/recovery-plans."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response, status

from drorch.api.deps import ContainerDep, IfMatch, StoreDep, set_etag
from drorch.api.echo import split_echo
from drorch.api.pagination import PageRead, page_response
from drorch.api.query import documented, query_of
from drorch.api.recovery_plans.schemas import (
    PlanValidationRead,
    RecoveryPlanCreate,
    RecoveryPlanListQuery,
    RecoveryPlanRead,
    RecoveryPlanSaved,
    RecoveryPlanUpdate,
)
from drorch.api.security import audited, require
from drorch.bootstrap import Container, readiness_ports
from drorch.domain.identity import Permission, Principal
from drorch.domain.plans import PlanDraft, RecoveryPlan
from drorch.domain.readiness import status_of
from drorch.ports.store import ListQuery
from drorch.services import plans, readiness
from drorch.services.audit import AuditContext
from drorch.services.plans import PlanValidation

router = APIRouter(prefix="/api/v1/recovery-plans", tags=["recovery plans"])
P = Permission


@router.get(
    "", response_model=PageRead[RecoveryPlanRead], openapi_extra=documented(RecoveryPlanListQuery)
)
async def list_plans(
    store: StoreDep,
    _: Annotated[Principal, require(P.PLANS_READ)],
    params: Annotated[RecoveryPlanListQuery, query_of(RecoveryPlanListQuery)],
) -> Response:
    """A page of recovery plans."""
    query = ListQuery(**params.model_dump())
    # Run on the event loop: a bounded, indexed read costs less than a thread hand-off.
    return page_response(plans.list_plans(store=store, query=query))


@router.post("", status_code=status.HTTP_201_CREATED)
def create_plan(
    body: RecoveryPlanCreate,
    store: StoreDep,
    container: ContainerDep,
    response: Response,
    audit: Annotated[AuditContext, audited(P.PLANS_WRITE, "plan.create")],
) -> RecoveryPlanSaved:
    """Create a plan; 422 names each wave that breaks a rule."""
    plan = plans.create_plan(store=store, draft=body, audit=audit)
    set_etag(response, plan.version)
    response.headers["Location"] = f"{router.prefix}/{plan.id}"
    return _saved(container, plan)


@router.post("/validate")
def validate_draft(
    body: RecoveryPlanCreate, store: StoreDep, _: Annotated[Principal, require(P.PLANS_READ)]
) -> PlanValidationRead:
    """Validate an unsaved plan (errors and warnings), saving nothing."""
    return _validation(plans.validate_draft(store=store, draft=body))


@router.get("/{plan_id}")
def get_plan(
    plan_id: str,
    store: StoreDep,
    response: Response,
    _: Annotated[Principal, require(P.PLANS_READ)],
) -> RecoveryPlanRead:
    """One plan."""
    plan = plans.get_plan(store=store, plan_id=plan_id)
    set_etag(response, plan.version)
    return _read(plan)


@router.put("/{plan_id}")
def update_plan(
    plan_id: str,
    body: RecoveryPlanUpdate,
    store: StoreDep,
    container: ContainerDep,
    if_match: IfMatch,
    response: Response,
    audit: Annotated[AuditContext, audited(P.PLANS_WRITE, "plan.update")],
) -> RecoveryPlanSaved:
    """Replace a plan; 412 when someone changed it since the version named, 428 without one."""
    draft, echoed = split_echo(body, PlanDraft)
    plan = plans.update_plan(
        store=store,
        plan_id=plan_id,
        draft=draft,
        if_match=if_match.expected(body.version),
        version_named=if_match.named(body.version),
        echoed=echoed,
        audit=audit,
    )
    set_etag(response, plan.version)
    return _saved(container, plan)


@router.delete("/{plan_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_plan(
    plan_id: str,
    store: StoreDep,
    if_match: IfMatch,
    audit: Annotated[AuditContext, audited(P.PLANS_WRITE, "plan.delete")],
) -> Response:
    """Delete a plan; 428 without If-Match."""
    plans.delete_plan(
        store=store,
        plan_id=plan_id,
        if_match=if_match.expected(),
        version_named=if_match.named(),
        audit=audit,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{plan_id}/validate")
def validate_plan(
    plan_id: str, store: StoreDep, _: Annotated[Principal, require(P.PLANS_READ)]
) -> PlanValidationRead:
    """Check a saved plan: errors block a run, warnings are worth reading."""
    return _validation(plans.validate_plan(store=store, plan_id=plan_id))


def _read(plan: RecoveryPlan) -> RecoveryPlanRead:
    return RecoveryPlanRead.model_validate(plan.model_dump())


def _saved(container: Container, plan: RecoveryPlan) -> RecoveryPlanSaved:
    """The plan as saved, with the store-only readiness checks' findings (read-only, fast)."""
    findings = readiness.save_findings(ports=readiness_ports(container), plan=plan)
    found = [f.model_dump() for f in findings]
    return RecoveryPlanSaved.model_validate(
        {**plan.model_dump(), "readiness": {"status": status_of(findings), "findings": found}}
    )


def _validation(result: PlanValidation) -> PlanValidationRead:
    return PlanValidationRead.model_validate(result.as_dict())
