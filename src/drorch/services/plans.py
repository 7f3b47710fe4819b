"""Recovery plan use cases."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from drorch.domain.actions import action_warnings, check_actions
from drorch.domain.common import FieldProblem, echo_problems, new_id, utcnow
from drorch.domain.groups import ProtectionGroup
from drorch.domain.plans import PlanDraft, RecoveryPlan, Wave, check_waves, plan_warnings
from drorch.errors import ConflictError, NotFoundError
from drorch.ports.store import ListQuery, Page, Store, UnitOfWork
from drorch.services.audit import SYSTEM_AUDIT, AuditContext, record
from drorch.services.problems import raise_if_problems, require_version


@dataclass(frozen=True)
class PlanValidation:
    """Errors block a run; warnings are worth reading first."""

    errors: list[FieldProblem]
    warnings: list[FieldProblem]

    @property
    def valid(self) -> bool:
        """True when nothing blocks the plan."""
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of a validation result."""
        return {
            "valid": self.valid,
            "errors": [e.as_dict() for e in self.errors],
            "warnings": [w.as_dict() for w in self.warnings],
        }


def create_plan(
    *, store: Store, draft: PlanDraft, audit: AuditContext = SYSTEM_AUDIT
) -> RecoveryPlan:
    """Create a plan whose waves form a valid graph over existing groups."""
    now = utcnow()
    plan = RecoveryPlan(id=new_id("rp"), created_at=now, updated_at=now, **dict(draft))
    with store.transaction() as uow:
        _check(uow, plan)
        uow.plans.add(plan)
        record(uow, "plan.create", "plan", plan.id, audit=audit, detail={"name": plan.name})
    return plan


def update_plan(
    *,
    store: Store,
    plan_id: str,
    draft: PlanDraft,
    if_match: int | None,
    audit: AuditContext = SYSTEM_AUDIT,
    version_named: bool = True,
    echoed: Mapping[str, Any] | None = None,
) -> RecoveryPlan:
    """Replace a plan; `if_match` is the version the caller last read (None: any).

    `version_named` False (the caller named no version at all) refuses with 428.
    `echoed` holds read-only fields the caller sent back; each must match the plan.
    """
    with store.transaction() as uow:
        current = _require(uow, plan_id)
        require_version("recovery plan", plan_id, current.version, if_match, named=version_named)
        raise_if_problems(echo_problems(echoed or {}, current.model_dump()), "recovery plan")
        expected = current.version
        plan = current.model_copy(
            update={**dict(draft), "version": expected + 1, "updated_at": utcnow()}
        )
        _check(uow, plan)
        uow.plans.update(plan, expected_version=expected)
        detail = {"name": plan.name, "version": plan.version}
        record(uow, "plan.update", "plan", plan.id, audit=audit, detail=detail)
    return plan


def delete_plan(
    *,
    store: Store,
    plan_id: str,
    if_match: int | None,
    version_named: bool = True,
    audit: AuditContext = SYSTEM_AUDIT,
) -> None:
    """Delete a plan."""
    with store.transaction() as uow:
        plan = _require(uow, plan_id)
        require_version("recovery plan", plan_id, plan.version, if_match, named=version_named)
        uow.plans.delete(plan_id, expected_version=if_match)
        record(uow, "plan.delete", "plan", plan_id, audit=audit, detail={"name": plan.name})


def get_plan(*, store: Store, plan_id: str) -> RecoveryPlan:
    """One plan."""
    with store.read() as uow:
        return _require(uow, plan_id)


def find_plan(*, store: Store, id_or_name: str) -> RecoveryPlan:
    """A plan by id or by (case-insensitive) name."""
    with store.read() as uow:
        plan = uow.plans.get(id_or_name) or uow.plans.find_by_name(id_or_name)
    if plan is None:
        raise NotFoundError(f"no recovery plan has the id or name {id_or_name!r}")
    return plan


def list_plans(*, store: Store, query: ListQuery) -> Page[str]:
    """A page of plans, each as JSON."""
    with store.read() as uow:
        return uow.plans.page_json(query)


def validate_plan(*, store: Store, plan_id: str) -> PlanValidation:
    """Check a saved plan against the current groups and inventory."""
    with store.read() as uow:
        return _validation(uow, _require(uow, plan_id).waves)


def validate_draft(*, store: Store, draft: PlanDraft) -> PlanValidation:
    """Check an unsaved plan, as the editor does while typing."""
    with store.read() as uow:
        return _validation(uow, draft.waves)


def _validation(uow: UnitOfWork, waves: list[Wave]) -> PlanValidation:
    group_ids = [g for wave in waves for g in wave.protection_group_ids]
    groups = uow.groups.get_many(group_ids)
    errors = check_waves(waves, {g.id: g.name for g in groups.values()})
    errors += check_actions(waves, _scopes(groups.values()))
    members = {g: uow.groups.members(g) for g in groups}
    servers = uow.servers.get_many(s for ids in members.values() for s in ids)
    warnings = plan_warnings(waves, members, servers) + action_warnings(waves)
    return PlanValidation(errors, warnings)


def _scopes(groups: Iterable[ProtectionGroup]) -> dict[str, tuple[str, str]]:
    return {g.id: (g.account_id, g.region) for g in groups}


def _check(uow: UnitOfWork, plan: RecoveryPlan) -> None:
    existing = uow.plans.find_by_name(plan.name)
    if existing is not None and existing.id != plan.id:
        raise ConflictError(
            f"a recovery plan named {existing.name!r} already exists ({existing.id})",
            conflicts=[{"field": "name", "plan_id": existing.id, "plan_name": existing.name}],
        )
    groups = uow.groups.get_many(g for wave in plan.waves for g in wave.protection_group_ids)
    problems = check_waves(plan.waves, {g.id: g.name for g in groups.values()})
    problems += check_actions(plan.waves, _scopes(groups.values()))
    raise_if_problems(problems, "recovery plan")


def _require(uow: UnitOfWork, plan_id: str) -> RecoveryPlan:
    plan = uow.plans.get(plan_id)
    if plan is None:
        raise NotFoundError(f"recovery plan {plan_id} does not exist")
    return plan
