"""Actions: the non-server steps of a wave (restores, DNS switches, checks, approvals...).

An action belongs to a wave and runs `before` or `after` the wave's servers. Its `type`
names a step type (domain/steps/); its `params` are validated by that type's model, errors
naming `waves[i].actions[j].params.<field>`. Its account and Region default to the wave's:
the one account and Region all of the wave's protection groups share. A wave without
groups (or whose groups span several) has none, so its actions that call AWS must name
their own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import Field, ValidationError

from drorch.domain.common import FieldProblem, Model, Name
from drorch.domain.steps.base import InDrill, StepType
from drorch.domain.steps.registry import step_type, step_types

if TYPE_CHECKING:
    from drorch.domain.plans import Wave

Scope = tuple[str, str]  # (account id, Region)


class Phase(StrEnum):
    """When an action runs relative to its wave's servers."""

    BEFORE = "before"
    AFTER = "after"


class OnFailure(StrEnum):
    """What a failed action does to its wave."""

    FAIL_WAVE = "fail_wave"  # the wave fails (its dependants are skipped)
    CONTINUE = "continue"  # the wave goes on; the execution ends PARTIAL at best


class Action(Model):
    """One step of a wave that is not a server launch."""

    name: Name = Field(min_length=1, max_length=64, description="Unique in the plan.")
    type: str = Field(min_length=1, max_length=64)
    params: dict[str, Any] = Field(default_factory=dict)
    phase: Phase = Phase.BEFORE
    account_id: str | None = Field(default=None, pattern=r"^\d{12}$")
    region: str | None = Field(default=None, pattern=r"^[a-z]{2}(-[a-z]+)+-\d$")
    timeout_minutes: float = Field(default=60, gt=0, le=10080)
    on_failure: OnFailure = OnFailure.FAIL_WAVE
    in_drill: InDrill | None = Field(default=None, description="null: the type's default.")


def wave_scope(wave: Wave, group_scopes: Mapping[str, Scope]) -> Scope | None:
    """The account and Region every protection group of the wave shares, or None."""
    scopes = {group_scopes[g] for g in wave.protection_group_ids if g in group_scopes}
    return next(iter(scopes)) if len(scopes) == 1 else None


def action_scope(action: Action, wave: Wave, group_scopes: Mapping[str, Scope]) -> Scope | None:
    """Where the action runs: its own account/Region, else the wave's (None: unknown)."""
    default = wave_scope(wave, group_scopes)
    account = action.account_id or (default[0] if default else None)
    region = action.region or (default[1] if default else None)
    return (account, region) if account and region else None


def drill_behaviour(action: Action) -> InDrill:
    """What the action does in a drill: the plan's choice, else its type's safe default."""
    if action.in_drill is not None:
        return action.in_drill
    known = step_type(action.type)
    return known.drill_default if known else InDrill.SKIP


def checked_params(action: Action) -> dict[str, Any]:
    """The params as the type's model reads them (defaults filled), JSON-compatible."""
    known = step_type(action.type)
    if known is None:
        return dict(action.params)
    return known.params.model_validate(action.params).model_dump(mode="json")


def check_actions(waves: Sequence[Wave], group_scopes: Mapping[str, Scope]) -> list[FieldProblem]:
    """Errors of every action of a plan: names, types, params, where they run."""
    problems: list[FieldProblem] = []
    seen: set[str] = set()
    for i, wave in enumerate(waves):
        for j, action in enumerate(wave.actions):
            path = f"waves[{i}].actions[{j}]"
            if action.name in seen:
                msg = f"action name {action.name!r} is used twice"
                problems.append(FieldProblem(f"{path}.name", msg))
            seen.add(action.name)
            problems += _check_one(action, wave, group_scopes, path)
    return problems


def _check_one(
    action: Action, wave: Wave, group_scopes: Mapping[str, Scope], path: str
) -> list[FieldProblem]:
    known = step_type(action.type)
    if known is None:
        names = ", ".join(step_types())
        msg = f"action {action.name!r}: unknown type {action.type!r} (known: {names})"
        return [FieldProblem(f"{path}.type", msg)]
    problems = _param_problems(known, action, path)
    if known.uses_account and action_scope(action, wave, group_scopes) is None:
        msg = (
            f"action {action.name!r}: wave {wave.name!r} has no single account and Region; "
            "name account_id and region"
        )
        problems.append(FieldProblem(f"{path}.account_id", msg))
    return problems


def _param_problems(known: StepType, action: Action, path: str) -> list[FieldProblem]:
    try:
        known.params.model_validate(action.params)
    except ValidationError as exc:
        return [
            FieldProblem(
                ".".join([f"{path}.params", *(str(p) for p in err["loc"])]),
                f"action {action.name!r}: {err['msg']}",
            )
            for err in exc.errors()
        ]
    return []


def action_warnings(waves: Sequence[Wave]) -> list[FieldProblem]:
    """Warnings: a drill-unsafe action that a drill will nevertheless run for real."""
    warnings = []
    for i, wave in enumerate(waves):
        for j, action in enumerate(wave.actions):
            known = step_type(action.type)
            if known is None or known.drill_default is InDrill.RUN:
                continue
            if action.in_drill is InDrill.RUN:
                msg = (
                    f"action {action.name!r} ({action.type}) runs for real in drills "
                    f"(its safe default is {known.drill_default.value})"
                )
                warnings.append(FieldProblem(f"waves[{i}].actions[{j}].in_drill", msg))
    return warnings


def plan_accounts(
    waves: Sequence[Wave], group_scopes: Mapping[str, Scope]
) -> list[tuple[str, str, Scope]]:
    """(path, action name, scope) of every action that calls AWS, for account checks."""
    found = []
    for i, wave in enumerate(waves):
        for j, action in enumerate(wave.actions):
            known = step_type(action.type)
            scope = action_scope(action, wave, group_scopes)
            if known is not None and known.uses_account and scope is not None:
                found.append((f"waves[{i}].actions[{j}]", action.name, scope))
    return found
