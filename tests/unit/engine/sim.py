"""A pure, in-test model of DRS for driving apply/decide without any I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from drorch.domain.executions import Command, Execution
from drorch.engine.apply import apply, apply_outcomes
from drorch.engine.config import EngineConfig
from drorch.engine.decide import decide
from drorch.engine.observe import Observation, ScopeView
from drorch.engine.outcomes import Started
from drorch.ports.drs import DrsJob, JobServer
from tests.unit.engine.factory import KEY, add_instances


@dataclass
class PureDrs:
    """Jobs by id; each server's fate (LAUNCHED or FAILED) is applied by `finish`."""

    fails: set[str] = field(default_factory=set)
    jobs: dict[str, DrsJob] = field(default_factory=dict)
    started: list[tuple[str, ...]] = field(default_factory=list)

    def start(self, ids: tuple[str, ...], kind: str = "LAUNCH") -> DrsJob:
        job_id = f"j-{len(self.jobs) + 1}"
        parts = tuple(JobServer(s) for s in ids)
        self.jobs[job_id] = DrsJob(job_id, kind, "START_DRILL", "PENDING", servers=parts)
        if kind == "LAUNCH":
            self.started.append(ids)
        return self.jobs[job_id]

    def finish(self, now: datetime) -> None:
        for job_id, job in list(self.jobs.items()):
            if job.status == "COMPLETED":
                continue
            parts = tuple(
                JobServer(
                    s.source_server_id,
                    launch_status=self._fate(job.type, s.source_server_id),
                    recovery_instance_id=f"ri-{s.source_server_id[-6:]}",
                )
                for s in job.servers
            )
            self.jobs[job_id] = DrsJob(
                job_id, job.type, job.initiated_by, "COMPLETED", servers=parts, end_time=now
            )

    def _fate(self, kind: str, server_id: str) -> str:
        if kind == "TERMINATE":
            return "TERMINATED"
        return "FAILED" if server_id in self.fails else "LAUNCHED"

    def observe(self, now: datetime) -> Observation:
        view = ScopeView(jobs=dict(self.jobs), listed=True)
        add_instances(view)  # the follow-up read of launched servers' instances answered
        return Observation(now=now, scopes={KEY: view})


def step(
    ex: Execution, drs: PureDrs, now: datetime, commands: list[Command] | None = None
) -> Execution:
    """One advance with every wish started (no quota pressure)."""
    config = EngineConfig()
    first = apply(ex, drs.observe(now), commands or [], [], config).execution
    wishes = decide(first, drs.observe(now), config).wishes
    outcomes = [
        Started(
            w, f"b-{len(drs.jobs) + 1}", w.source_server_ids, drs.start(w.source_server_ids, w.kind)
        )
        for w in wishes
    ]
    return apply_outcomes(first, outcomes, now, config).execution  # type: ignore[arg-type]
