"""/api/v1/recovery-plans."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response, status

from drorch.api.deps import IfMatch, StoreDep, set_etag
from drorch.api.pagination import PageRead, page_response
from drorch.api.query import documented, query_of
from drorch.api.recovery_plans.schemas import (
    PlanValidationRead,
    RecoveryPlanCreate,
    RecoveryPlanListQuery,
    RecoveryPlanRead,
    RecoveryPlanUpdate,
)
from drorch.api.security import audited, require
from drorch.domain.identity import Permission, Principal
from drorch.domain.plans import RecoveryPlan
from drorch.ports.store import ListQuery
from drorch.services import plans
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
    response: Response,
    audit: Annotated[AuditContext, audited(P.PLANS_WRITE, "plan.create")],
) -> RecoveryPlanRead:
    """Create a plan; 422 names each wave that breaks a rule."""
    plan = plans.create_plan(store=store, draft=body, audit=audit)
    set_etag(response, plan.version)
    response.headers["Location"] = f"{router.prefix}/{plan.id}"
    return _read(plan)


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
    if_match: IfMatch,
    response: Response,
    audit: Annotated[AuditContext, audited(P.PLANS_WRITE, "plan.update")],
) -> RecoveryPlanRead:
    """Replace a plan; with If-Match, 412 when someone changed it since."""
    plan = plans.update_plan(
        store=store, plan_id=plan_id, draft=body, if_match=if_match, audit=audit
    )
    set_etag(response, plan.version)
    return _read(plan)


@router.delete("/{plan_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_plan(
    plan_id: str,
    store: StoreDep,
    if_match: IfMatch,
    audit: Annotated[AuditContext, audited(P.PLANS_WRITE, "plan.delete")],
) -> Response:
    """Delete a plan."""
    plans.delete_plan(store=store, plan_id=plan_id, if_match=if_match, audit=audit)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{plan_id}/validate")
def validate_plan(
    plan_id: str, store: StoreDep, _: Annotated[Principal, require(P.PLANS_READ)]
) -> PlanValidationRead:
    """Check a saved plan: errors block a run, warnings are worth reading."""
    return _validation(plans.validate_plan(store=store, plan_id=plan_id))


def _read(plan: RecoveryPlan) -> RecoveryPlanRead:
    return RecoveryPlanRead.model_validate(plan.model_dump())


def _validation(result: PlanValidation) -> PlanValidationRead:
    return PlanValidationRead.model_validate(result.as_dict())
