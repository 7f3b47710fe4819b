"""Recovery plans: ordered waves of protection groups, and the rules they obey."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from drorch.domain.actions import Action
from drorch.domain.common import FieldProblem, Model, Name, Text
from drorch.domain.inventory import SourceServer

MAX_SERVERS_PER_JOB = 100
# How long an ended drill waits before it cleans up: minutes, or `keep` (an operator says).
CleanupAfter = Annotated[float, Field(ge=0, le=10080)] | Literal["keep"]
CLEANUP_AFTER_HELP = "Minutes an ended drill waits before cleaning up; keep: until asked."


class Wave(Model):
    """A step of a plan: groups that recover together once their dependencies are done."""

    name: Name = Field(min_length=1, max_length=64)
    protection_group_ids: list[str] = Field(default_factory=list)
    depends_on: list[Name] | None = Field(
        default=None, description="Wave names; null means the previous wave."
    )
    pause_before: bool = False
    # Non-server steps run before or after the servers; a wave may hold only actions.
    actions: list[Action] = Field(default_factory=list, max_length=50)


class RecoveryPlan(Model):
    """A named, ordered set of waves with a recovery time objective."""

    id: str
    name: str = Field(min_length=1, max_length=128)
    description: str = Field(default="", max_length=2048)
    rto_minutes: int | None = Field(default=None, ge=1, le=10080)
    waves: list[Wave] = Field(default_factory=list)
    cleanup_after_minutes: CleanupAfter = Field(default=0.0, description=CLEANUP_AFTER_HELP)
    version: int = 1
    created_at: datetime
    updated_at: datetime


def effective_dependencies(waves: Sequence[Wave]) -> dict[str, list[str]]:
    """Each wave's dependencies, with the default (the previous wave) filled in."""
    result: dict[str, list[str]] = {}
    for i, wave in enumerate(waves):
        if wave.depends_on is not None:
            result[wave.name] = list(wave.depends_on)
        else:
            result[wave.name] = [waves[i - 1].name] if i > 0 else []
    return result


def check_waves(waves: Sequence[Wave], known_groups: Mapping[str, str]) -> list[FieldProblem]:
    """Structural problems of a plan's waves; `known_groups` maps group id to name."""
    problems = _check_names(waves)
    problems += _check_groups(waves, known_groups)
    problems += _check_dependency_names(waves)
    if not problems:
        problems += _check_cycles(waves)
    return problems


def _check_names(waves: Sequence[Wave]) -> list[FieldProblem]:
    problems, seen = [], set()
    for i, wave in enumerate(waves):
        if wave.name in seen:
            problems.append(
                FieldProblem(f"waves[{i}].name", f"wave name {wave.name!r} is used twice")
            )
        seen.add(wave.name)
    return problems


def _check_groups(waves: Sequence[Wave], known_groups: Mapping[str, str]) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    first_use: dict[str, str] = {}
    for i, wave in enumerate(waves):
        path = f"waves[{i}].protection_group_ids"
        if not wave.protection_group_ids and not wave.actions:
            problems.append(FieldProblem(path, f"wave {wave.name!r} has no protection groups"))
        for j, group_id in enumerate(wave.protection_group_ids):
            if group_id not in known_groups:
                msg = f"wave {wave.name!r}: protection group {group_id} does not exist"
                problems.append(FieldProblem(f"{path}[{j}]", msg))
            elif group_id in first_use:
                msg = (
                    f"wave {wave.name!r}: group {known_groups[group_id]!r} is already used "
                    f"in wave {first_use[group_id]!r}"
                )
                problems.append(FieldProblem(f"{path}[{j}]", msg))
            else:
                first_use[group_id] = wave.name
    return problems


def _check_dependency_names(waves: Sequence[Wave]) -> list[FieldProblem]:
    names = {wave.name for wave in waves}
    problems = []
    for i, wave in enumerate(waves):
        for j, dep in enumerate(wave.depends_on or []):
            path = f"waves[{i}].depends_on[{j}]"
            if dep == wave.name:
                problems.append(FieldProblem(path, f"wave {wave.name!r} depends on itself"))
            elif dep not in names:
                problems.append(
                    FieldProblem(path, f"wave {wave.name!r} depends on unknown wave {dep!r}")
                )
    return problems


def _check_cycles(waves: Sequence[Wave]) -> list[FieldProblem]:
    cycle = find_cycle(effective_dependencies(waves))
    if not cycle:
        return []
    index = next(i for i, w in enumerate(waves) if w.name == cycle[0])
    path = " -> ".join([*cycle, cycle[0]])
    return [FieldProblem(f"waves[{index}].depends_on", f"waves form a cycle: {path}")]


def find_cycle(graph: Mapping[str, Sequence[str]]) -> list[str]:
    """One cycle of the dependency graph as a list of names, or [] when it is acyclic."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for dep in graph.get(node, ()):
            if state.get(dep) == 1:
                return stack[stack.index(dep) :]
            if dep not in state and (found := visit(dep)):
                return found
        stack.pop()
        state[node] = 2
        return []

    for node in graph:
        if node not in state and (found := visit(node)):
            return found
    return []


def topological_order(waves: Sequence[Wave]) -> list[str]:
    """Wave names so that every wave comes after its dependencies (ties keep plan order)."""
    deps = effective_dependencies(waves)
    done: list[str] = []
    pending = [w.name for w in waves]
    while pending:
        ready = [n for n in pending if all(d in done for d in deps[n])]
        if not ready:
            raise ValueError("the wave graph has a cycle")
        done += ready
        pending = [n for n in pending if n not in ready]
    return done


def plan_warnings(
    waves: Sequence[Wave],
    members: Mapping[str, Sequence[str]],
    inventory: Mapping[str, SourceServer],
) -> list[FieldProblem]:
    """Warnings that do not block a plan: unhealthy replication, waves needing several jobs."""
    warnings: list[FieldProblem] = []
    for i, wave in enumerate(waves):
        server_ids = [s for g in wave.protection_group_ids for s in members.get(g, ())]
        if len(server_ids) > MAX_SERVERS_PER_JOB:
            jobs = -(-len(server_ids) // MAX_SERVERS_PER_JOB)
            msg = f"wave {wave.name!r} has {len(server_ids)} servers: DRS will run {jobs} jobs"
            warnings.append(FieldProblem(f"waves[{i}]", msg))
        for server_id in server_ids:
            server = inventory.get(server_id)
            if server is not None and not server.replication_healthy:
                msg = (
                    f"wave {wave.name!r}: {server_id} ({server.hostname}) replication is "
                    f"{server.replication_state}"
                )
                warnings.append(FieldProblem(f"waves[{i}].servers.{server_id}", msg))
    return warnings


class PlanDraft(Model):
    """What an operator submits to create or replace a recovery plan."""

    name: Name = Field(min_length=1, max_length=128, pattern=r"\S")
    description: Text = Field(default="", max_length=2048)
    rto_minutes: int | None = Field(default=None, ge=1, le=10080)
    waves: list[Wave] = Field(min_length=1, max_length=100)
    cleanup_after_minutes: CleanupAfter = Field(default=0.0, description=CLEANUP_AFTER_HELP)
