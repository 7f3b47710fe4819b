"""The demo's two example runbook plans: the bookings Region failover and the gift tracker's repair.

They replay the two operations runbooks drorch was started from (DESIGN.md, "Steps beyond
servers") against the resources the sandbox seeds in its embedded moto
(sandbox/aws_seed.py), whose ids the plans name in their action params:

* **bookings Region failover**: restore the bookings table in the standby Region, launch
  servers in the standby Region as a wave, point `api.` at the standby endpoint, invalidate
  the CDN, check that the standby API answers;
* **gift tracker data corruption**: stop API access, restore the gifts table to a point in
  time, verify the restored data (an SSM Automation run), wait for a recovery manager's
  approval, resume API access.

Both say `in_drill: run` for every action, so a drill really exercises them against the
embedded moto (plan validation warns about the DNS switch and the API stop: that is what
the warning is for, and these resources are the demo's own); the drill's cleanup undoes
what they changed. A plan is created only when it does not exist: moto keeps its resources
in memory and picks new ids at every start, so an existing plan only has the references
that moved re-pointed at this start's ids (services/demo_refs.py) and keeps every edit an
operator made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from drorch.domain.actions import Action
from drorch.domain.plans import PlanDraft, RecoveryPlan, Wave
from drorch.domain.steps.base import InDrill
from drorch.errors import ConflictError, ValidationError
from drorch.ports.store import Store
from drorch.services import plans
from drorch.services.demo_refs import repoint

BOOKINGS_PLAN = "bookings Region failover"
GIFTS_PLAN = "gift tracker data corruption"
# The demo fleet has no bookings servers: the storefront's web tier, which replicates into
# the standby Region with every server healthy, stands in for the bookings app tier.
APP_TIER_GROUP = "storefront-{region}-web"
APPROVAL_MINUTES = 240  # a person has four hours to look at the restored data


class SeededAws(Protocol):
    """What the plans need to know about the seeded resources (sandbox.aws_seeded)."""

    account_id: str
    primary_region: str
    standby_region: str
    zone_id: str
    distribution_id: str
    rest_api_id: str
    seeded_at: float
    bookings_table: str
    bookings_restored: str
    gifts_table: str
    gifts_restored: str
    api_record: str
    standby_endpoint: str
    stage: str
    verify_document: str


@dataclass
class Runbooks:
    """The example plans, and what this call did to them."""

    plans: list[RecoveryPlan] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def ensure_runbooks(*, store: Store, seeded: SeededAws, standby_check_url: str) -> Runbooks:
    """Create the two example plans, or re-point the existing ones at this start's ids.

    `standby_check_url` is where the standby API answers (the sandbox's stand-in for it,
    sandbox/standby_api.py, as this process serves it).
    """
    made = Runbooks()

    def bookings() -> PlanDraft | None:
        group_id = _group_id(store, APP_TIER_GROUP.format(region=seeded.standby_region))
        return bookings_failover(seeded, group_id, standby_check_url) if group_id else None

    def fresh(draft: PlanDraft) -> PlanDraft:
        return repoint(draft, seeded, standby_check_url)

    _ensure(store, made, BOOKINGS_PLAN, bookings, fresh)
    _ensure(store, made, GIFTS_PLAN, lambda: gift_tracker_repair(seeded), fresh)
    return made


def bookings_failover(seeded: SeededAws, app_group_id: str, check_url: str) -> PlanDraft:
    """Restore the standby table, launch the servers, switch `api.`, invalidate, check."""
    waves = [
        Wave(name="restore-data", actions=[_restore_bookings(seeded)]),
        Wave(name="app-tier", protection_group_ids=[app_group_id]),
        Wave(name="switch-traffic", actions=_switch_traffic(seeded, check_url)),
    ]
    return PlanDraft(
        name=BOOKINGS_PLAN,
        description=(
            "Example runbook: fail the bookings platform over to the standby Region "
            f"({seeded.standby_region}). Restores the bookings table there, launches the "
            "servers standing in for its app tier, points api. at the standby endpoint, "
            "invalidates the CDN and checks that the standby API answers. A drill runs "
            "every step against the demo's embedded AWS and its cleanup undoes them."
        ),
        rto_minutes=30,
        waves=waves,
    )


def _restore_bookings(seeded: SeededAws) -> Action:
    """The bookings table restored (latest) in the standby Region."""
    return Action(
        name="restore-bookings-table",
        type="dynamodb_restore",
        params={
            "source_table": seeded.bookings_table,
            "target_table": seeded.bookings_restored,
            "latest": True,
        },
        timeout_minutes=30,
        **_in(seeded, seeded.standby_region),
    )


def _switch_traffic(seeded: SeededAws, check_url: str) -> list[Action]:
    """`api.` to the standby endpoint, the CDN invalidated, the standby API checked."""
    standby = _in(seeded, seeded.standby_region)
    switch = Action(
        name="point-api-at-standby",
        type="route53_change",
        params={
            "zone_id": seeded.zone_id,
            "record_name": seeded.api_record,
            "record_type": "CNAME",
            "values": [seeded.standby_endpoint],
            "ttl": 60,
        },
        in_drill=InDrill.RUN,
        **standby,
    )
    invalidate = Action(
        name="invalidate-cdn",
        type="cloudfront_invalidate",
        params={"distribution_id": seeded.distribution_id, "paths": ["/*"]},
        **standby,
    )
    check = Action(
        name="check-standby-api",
        type="http_check",
        params={
            "url": f"{check_url}?table={seeded.bookings_restored}",
            "expected_status": 200,
            "body_contains": '"status":"ok"',
            "interval_seconds": 5,
            "attempts": 6,
        },
        timeout_minutes=5,
    )
    return [switch, invalidate, check]


def gift_tracker_repair(seeded: SeededAws) -> PlanDraft:
    """Stop the API, restore to a point in time, verify, approve, resume the API."""
    primary = _in(seeded, seeded.primary_region)
    api = {"rest_api_id": seeded.rest_api_id, "stage": seeded.stage}
    before_corruption = datetime.fromtimestamp(seeded.seeded_at, UTC).replace(microsecond=0)
    actions = [
        Action(
            name="stop-api-access",
            type="api_gateway_access",
            params={**api, "mode": "stop"},
            in_drill=InDrill.RUN,
            **primary,
        ),
        Action(
            name="restore-gifts-table",
            type="dynamodb_restore",
            params={
                "source_table": seeded.gifts_table,
                "target_table": seeded.gifts_restored,
                "point_in_time": before_corruption.isoformat(),
            },
            timeout_minutes=30,
            **primary,
        ),
        Action(
            name="verify-restored-data",
            type="ssm_automation",
            params={
                "document_name": seeded.verify_document,
                "parameters": {"TableName": [seeded.gifts_restored]},
            },
            in_drill=InDrill.RUN,
            timeout_minutes=30,
            **primary,
        ),
        Action(
            name="recovery-manager-approval",
            type="approval",
            params={"prompt": f"Is {seeded.gifts_restored} right? Approve to resume the API."},
            timeout_minutes=APPROVAL_MINUTES,
        ),
        Action(
            name="resume-api-access",
            type="api_gateway_access",
            params={**api, "mode": "resume"},
            in_drill=InDrill.RUN,
            **primary,
        ),
    ]
    return PlanDraft(
        name=GIFTS_PLAN,
        description=(
            "Example runbook: repair the gift tracker's corrupted data. Stops API access, "
            f"restores the gifts table to {before_corruption.isoformat()} (edit "
            "point_in_time to just before the corruption), verifies the restored table, "
            "waits for a recovery manager's approval and resumes API access."
        ),
        rto_minutes=60,
        waves=[Wave(name="repair", actions=actions)],
    )


def _in(seeded: SeededAws, region: str) -> dict[str, Any]:
    # Action-only waves have no account or Region of their own: each action names them.
    return {"account_id": seeded.account_id, "region": region}


def _group_id(store: Store, name: str) -> str | None:
    with store.read() as uow:
        group = uow.groups.find_by_name(name)
    return group.id if group is not None else None


def _ensure(
    store: Store,
    made: Runbooks,
    name: str,
    draft: Callable[[], PlanDraft | None],
    fresh: Callable[[PlanDraft], PlanDraft],
) -> None:
    """Create the plan when missing (`draft` None: it cannot be made here), else re-point it."""
    with store.read() as uow:
        plan = uow.plans.find_by_name(name)
    try:
        if plan is None:
            new = draft()
            if new is None:
                made.skipped.append(name)
                return
            plan = plans.create_plan(store=store, draft=new)
            made.created.append(name)
        elif (moved := fresh(_draft_of(plan))) != _draft_of(plan):
            plan = plans.update_plan(
                store=store, plan_id=plan.id, draft=moved, if_match=plan.version
            )
            made.updated.append(name)
    except (ConflictError, ValidationError):
        made.skipped.append(name)
        return
    made.plans.append(plan)


def _draft_of(plan: RecoveryPlan) -> PlanDraft:
    return PlanDraft.model_validate(plan.model_dump(include=set(PlanDraft.model_fields)))
