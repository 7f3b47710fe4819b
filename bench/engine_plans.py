"""Makespan of bench plans against a lower bound that counts what DRS quotas really hold.

A DRS job keeps its servers' share of the "servers in active jobs" quota (500 per account
and Region) and one of the 20 job slots until the job ends, that is until its slowest
server is done. So, with each server's realised launch duration (job created -> LAUNCHED
in the sandbox), no schedule can finish before

    max( critical path of waves (each wave as long as its slowest server),
         per scope: sum over jobs of (servers in the job x the job's duration) / 500,
         per scope: sum over jobs of the job's duration / 20 ).

The plans: the critical-path-bound 10-wave plan, and three quota-bound ones (one
1,000-server wave; ten independent 100-server waves; 20 concurrent 50-server drills across
accounts). Used by engine_bench.py.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from bench._support import World, ids, many_servers, world

from drorch.domain.groups import GroupDraft, Selection
from drorch.domain.plans import PlanDraft, Wave
from drorch.engine.quotas import Limits
from drorch.sandbox import synthetic_fleet
from drorch.services.groups import create_group
from drorch.services.plans import create_plan

LIMITS = Limits()
REGION = "us-east-1"
TARGET_EFFICIENCY = 1.03

CRITICAL_WAVES = {  # name: (servers, depends_on)
    "w1": (150, []),
    "w2": (50, []),
    "w3": (250, ["w1"]),
    "w4": (100, ["w1"]),
    "w5": (120, ["w3", "w4"]),
    "w6": (80, ["w2"]),
    "w7": (100, ["w5"]),
    "w8": (50, ["w6"]),
    "w9": (60, ["w7", "w8"]),
    "w10": (40, ["w9"]),
}


class LaunchLog:
    """Records when the sandbox schedules each server's LAUNCHED step, per job."""

    def __init__(self, w: World) -> None:
        self.w = w
        self.launched: dict[str, float] = {}
        self.created: dict[str, float] = {}
        self.job_servers: dict[str, list[str]] = {}
        self.job_scope: dict[str, str] = {}
        self.seen: set[str] = set()

    def capture(self) -> None:
        """Note the jobs the sandbox created since the last call."""
        with self.w.sandbox.lock:
            for key, scope in self.w.sandbox.scopes.items():
                for job in scope.jobs.values():
                    if job.id in self.seen:
                        continue
                    self.seen.add(job.id)
                    self.created[job.id] = job.created
                    self.job_scope[job.id] = str(key)
                    for step in job.pending:
                        if step.kind == "LAUNCHED" and step.server_id:
                            self.launched[step.server_id] = step.at
                            self.job_servers.setdefault(job.id, []).append(step.server_id)


def drive(w: World, log: LaunchLog, timings: list[float]) -> None:
    """Tick and jump to the end, capturing launch steps and advance wall times."""
    while True:
        begin = time.perf_counter()
        w.tick()
        timings.append(time.perf_counter() - begin)
        log.capture()
        if not w.jump():
            return


@dataclass
class PlanSpec:
    """One plan to drill: its account and waves (name -> server ids, dependencies)."""

    name: str
    account: str
    waves: dict[str, list[str]]
    depends: dict[str, list[str]] = field(default_factory=dict)


def create(w: World, spec: PlanSpec) -> str:
    """One group per wave and the plan over them; returns the plan id."""
    models = []
    for wave_name, server_ids in spec.waves.items():
        draft = GroupDraft(
            name=f"{spec.name}-{wave_name}",
            account_id=spec.account,
            region=REGION,
            selection=Selection(server_ids=server_ids),
        )
        group = create_group(store=w.store, draft=draft).group
        after = spec.depends.get(wave_name)
        models.append(Wave(name=wave_name, protection_group_ids=[group.id], depends_on=after))
    return str(create_plan(store=w.store, draft=PlanDraft(name=spec.name, waves=models)).id)


def run_plans(fleet: dict[str, Any], specs: list[PlanSpec]) -> dict[str, Any]:
    """Drill every plan at once, to the end; the makespan against the lower bound."""
    with world(fleet) as w:
        executions = [w.start(create(w, spec)) for spec in specs]
        log = LaunchLog(w)
        drive(w, log, [])
        statuses = sorted({w.get(ex.id).status for ex in executions})
    assert statuses == ["COMPLETED"], statuses
    return figures(log, specs)


def figures(log: LaunchLog, specs: list[PlanSpec]) -> dict[str, Any]:
    """Achieved makespan, each part of the bound, and their ratio."""
    duration = {
        s: log.launched[s] - log.created[job] for job, ss in log.job_servers.items() for s in ss
    }
    achieved = max(log.launched.values()) - min(log.created.values())
    critical = max(critical_path(spec, duration) for spec in specs)
    slots, jobs = quota_bounds(log, duration)
    bound = max(critical, slots, jobs)
    return {
        "servers": len(duration),
        "jobs": len(log.job_servers),
        "achieved_makespan_s": round(achieved, 1),
        "lower_bound_s": round(bound, 1),
        "critical_path_bound_s": round(critical, 1),
        "quota_servers_bound_s": round(slots, 1),
        "quota_jobs_bound_s": round(jobs, 1),
        "efficiency_achieved_over_bound": round(achieved / bound, 3),
        "target": TARGET_EFFICIENCY,
        "met": achieved / bound <= TARGET_EFFICIENCY,
    }


def critical_path(spec: PlanSpec, duration: dict[str, float]) -> float:
    """The longest chain of waves, each as long as its slowest server (waves listed in order)."""
    finish: dict[str, float] = {}
    for name, servers in spec.waves.items():
        longest = max(duration[s] for s in servers)
        finish[name] = max((finish[d] for d in spec.depends.get(name, [])), default=0.0) + longest
    return max(finish.values())


def quota_bounds(log: LaunchLog, duration: dict[str, float]) -> tuple[float, float]:
    """Per scope, server-seconds held by whole jobs / 500 and job-seconds / 20 (the worst)."""
    held: dict[str, float] = {}
    slots: dict[str, float] = {}
    for job, servers in log.job_servers.items():
        length = max(duration[s] for s in servers)  # the job holds all its servers this long
        scope = log.job_scope[job]
        held[scope] = held.get(scope, 0.0) + len(servers) * length
        slots[scope] = slots.get(scope, 0.0) + length
    by_servers = max(held.values()) / LIMITS.servers_in_active_jobs
    by_jobs = max(slots.values()) / LIMITS.concurrent_jobs
    return by_servers, by_jobs


def plans(divisor: int, drills: int = 20) -> dict[str, tuple[dict[str, Any], list[PlanSpec]]]:
    """Each bench plan (server counts divided by `divisor`) with the fleet it runs on."""
    return {
        "critical_path_10_waves": _critical(divisor),
        "one_1000_server_wave": _one_wave(divisor),
        "ten_independent_100_server_waves": _ten_waves(divisor),
        "twenty_50_server_drills_across_accounts": _drills(divisor, drills),
    }


def _account_of(fleet: dict[str, Any]) -> str:
    return str(fleet["accounts"][0]["id"])


def _critical(divisor: int) -> tuple[dict[str, Any], list[PlanSpec]]:
    sizes = {name: max(1, count // divisor) for name, (count, _) in CRITICAL_WAVES.items()}
    fleet = many_servers(sum(sizes.values()))
    waves, start = {}, 1000
    for name, count in sizes.items():
        waves[name] = ids(start, count)
        start += count
    depends = {n: d for n, (_, d) in CRITICAL_WAVES.items()}
    return fleet, [PlanSpec("critical", _account_of(fleet), waves, depends)]


def _one_wave(divisor: int) -> tuple[dict[str, Any], list[PlanSpec]]:
    count = max(2, 1000 // divisor)
    fleet = many_servers(count)
    return fleet, [PlanSpec("one-wave", _account_of(fleet), {"all": ids(1000, count)})]


def _ten_waves(divisor: int) -> tuple[dict[str, Any], list[PlanSpec]]:
    per = max(1, 100 // divisor)
    fleet = many_servers(10 * per)
    waves = {f"w{k}": ids(1000 + k * per, per) for k in range(10)}
    depends: dict[str, list[str]] = {name: [] for name in waves}  # all independent
    return fleet, [PlanSpec("ten-waves", _account_of(fleet), waves, depends)]


def _drills(divisor: int, drills: int) -> tuple[dict[str, Any], list[PlanSpec]]:
    per, accounts = max(1, 50 // divisor), 4
    fleet = synthetic_fleet(drills * per, accounts=accounts)
    by_account: dict[str, list[str]] = {}
    for server in fleet["servers"]:
        by_account.setdefault(server["account"], []).append(server["id"])
    specs = []
    for n in range(drills):
        account = sorted(by_account)[n % accounts]
        mine = by_account[account][(n // accounts) * per : (n // accounts + 1) * per]
        specs.append(PlanSpec(f"drill-{n:02d}", account, {"only": mine}))
    return fleet, specs


def makespan_figures(divisor: int = 1, drills: int = 20) -> dict[str, Any]:
    """Every bench plan's makespan against its bound (`drills` concurrent drills in the last)."""
    found: dict[str, Any] = {}
    for name, (fleet, specs) in plans(divisor, drills).items():
        begin = time.perf_counter()
        found[name] = run_plans(fleet, specs)
        found[name]["bench_wall_seconds"] = round(time.perf_counter() - begin, 1)
        print(name, found[name], flush=True)
    found["worst_efficiency"] = max(v["efficiency_achieved_over_bound"] for v in found.values())
    return found
