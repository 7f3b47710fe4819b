"""The timing model: when each step of a job happens, per OS, with seeded jitter."""

from __future__ import annotations

import random
from collections.abc import Set
from dataclasses import dataclass

from drorch.sandbox.state import Step
from drorch.sandbox.wire import hex_id

# Seconds per phase; Linux ends in about 5 minutes, Windows in about 20 (DRS's typical pace).
PHASES: dict[str, dict[str, float]] = {
    "LINUX": {"start": 15, "snapshot": 30, "conversion": 150, "launch": 105},
    "WINDOWS": {"start": 15, "snapshot": 60, "conversion": 600, "launch": 525},
}
CLEANUP_SECONDS = 60.0
JITTER = 0.2
STAGGER = 10.0


@dataclass(frozen=True)
class LaunchPlan:
    """How one server's launch will go, decided when the job is created."""

    server_id: str
    os: str
    snapshot: str  # "NEW", "PREVIOUS" or "NONE"
    fail_phase: str | None  # None, "CONVERSION" or "LAUNCH"
    instance_id: str


class Timing:
    """Turns a job into timed steps; the same seed gives the same schedule."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def _rng(self, *parts: object) -> random.Random:
        return random.Random(":".join(str(p) for p in (self.seed, *parts)))

    def _span(self, rng: random.Random, seconds: float) -> float:
        return seconds * rng.uniform(1 - JITTER, 1 + JITTER)

    def instance_id(self, job_id: str, server_id: str) -> str:
        """The recovery (EC2) instance id a launch will create."""
        return "i-" + hex_id(17, self.seed, job_id, server_id, "instance")

    def launch_steps(self, job_id: str, created: float, plans: list[LaunchPlan]) -> list[Step]:
        """Every step of a LAUNCH job, ordered by time."""
        start = created + self._span(self._rng(job_id, "start"), PHASES["LINUX"]["start"])
        steps = [Step(at=start, kind="JOB_START")]
        for plan in plans:
            steps.extend(self._server_launch(job_id, start, plan))
        end = max(step.at for step in steps) + 5.0
        steps.append(Step(at=end, kind="JOB_END"))
        return sorted(steps, key=lambda s: s.at)

    def _server_launch(self, job_id: str, start: float, plan: LaunchPlan) -> list[Step]:
        rng = self._rng(job_id, plan.server_id)
        phases = PHASES[plan.os]
        sid = plan.server_id
        at = start + rng.uniform(0, STAGGER)
        if plan.snapshot == "NONE":
            return [Step(at, "USING_PREVIOUS_SNAPSHOT_FAILED", sid, _raw("no snapshot to launch"))]
        steps: list[Step] = []
        if plan.snapshot == "NEW":
            steps.append(Step(at, "SNAPSHOT_START", sid))
            at += self._span(rng, phases["snapshot"])
            steps.append(Step(at, "SNAPSHOT_END", sid))
        else:
            steps.append(Step(at, "USING_PREVIOUS_SNAPSHOT", sid))
        steps.extend(self._convert_and_launch(rng, job_id, at, plan))
        return steps

    def _convert_and_launch(
        self, rng: random.Random, job_id: str, at: float, plan: LaunchPlan
    ) -> list[Step]:
        sid, phases = plan.server_id, PHASES[plan.os]
        converter = {"conversionServerID": "i-" + hex_id(17, self.seed, job_id, sid, "conv")}
        steps = [Step(at + 1.0, "CONVERSION_START", sid, converter)]
        at += 1.0 + self._span(rng, phases["conversion"])
        if plan.fail_phase == "CONVERSION":
            return [*steps, Step(at, "CONVERSION_FAIL", sid, _raw("conversion failed"))]
        steps.append(Step(at, "CONVERSION_END", sid, converter))
        target = {"targetInstanceID": plan.instance_id}
        steps.append(Step(at + 1.0, "LAUNCH_START", sid, target))
        at += 1.0 + self._span(rng, phases["launch"])
        if plan.fail_phase == "LAUNCH":
            return [*steps, Step(at, "LAUNCH_FAILED", sid, _raw("instance failed to boot"))]
        return [*steps, Step(at, "LAUNCHED", sid, target)]

    def terminate_steps(
        self, job_id: str, created: float, server_ids: list[str], failing: Set[str] = frozenset()
    ) -> list[Step]:
        """Every step of a TERMINATE job, ordered by time (`failing` servers keep instances)."""
        start = created + self._span(self._rng(job_id, "start"), 5.0)
        steps = [Step(at=start, kind="JOB_START")]
        for sid in server_ids:
            rng = self._rng(job_id, sid)
            begin = start + rng.uniform(0, 2.0)
            steps.append(Step(begin, "CLEANUP_START", sid))
            end = "CLEANUP_FAIL" if sid in failing else "CLEANUP_END"
            steps.append(Step(begin + self._span(rng, CLEANUP_SECONDS), end, sid))
        steps.append(Step(max(s.at for s in steps) + 2.0, "JOB_END"))
        return sorted(steps, key=lambda s: s.at)

    def fails(self, job_id: str, server_id: str, probability: float) -> str | None:
        """The phase a launch fails in by chance (None when it succeeds)."""
        rng = self._rng(job_id, server_id, "fate")
        if rng.random() >= probability:
            return None
        return rng.choice(["CONVERSION", "LAUNCH"])


def _raw(message: str) -> dict[str, str]:
    return {"rawError": message}
