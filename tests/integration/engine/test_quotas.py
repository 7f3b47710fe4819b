"""Quotas shared by concurrent executions and by jobs drorch did not start.

The sandbox and the engine run with scaled-down quotas (10 servers per job, 4 concurrent
jobs, 25 servers in active jobs) so that saturating them takes few servers; the code paths
are those of the real 100/20/500.
"""

from __future__ import annotations

from typing import Any

from drorch.engine.config import EngineConfig
from drorch.engine.quotas import Limits
from tests.integration.engine.harness import World, active_usage, events, ids, world
from tests.support.sandbox import many_servers

LIMITS = Limits(servers_per_job=10, concurrent_jobs=4, servers_in_active_jobs=25)
CONFIG = EngineConfig(limits=LIMITS, fast_poll=5.0)  # coarse polling: quotas are the point here


def fleet(count: int) -> dict[str, Any]:
    data = many_servers(count)
    data["quotas"].update(servers_per_job=10, concurrent_jobs=4, servers_in_active_jobs=25)
    return data


def drive_watching(w: World, limit_steps: int = 20000) -> tuple[int, int]:
    """Drive to the end, returning the peak (jobs, servers) the sandbox ever held."""
    peak_jobs = peak_servers = 0
    for _ in range(limit_steps):
        w.tick()
        for jobs, servers in active_usage(w.sb).values():
            peak_jobs, peak_servers = max(peak_jobs, jobs), max(peak_servers, servers)
        if not w.jump():
            return peak_jobs, peak_servers
    raise AssertionError("did not finish")


def test_three_executions_share_the_quotas_with_a_foreign_job() -> None:
    with world(fleet(200), runners=2, config=CONFIG) as w:
        foreign = w.sb.client().start_recovery(
            sourceServers=[{"sourceServerID": s} for s in ids(1150, 5)], isDrill=True
        )
        assert foreign["job"]["status"] == "PENDING"
        plans = [
            w.plan(f"p{n}", [("one", ids(1000 + n * 40, 25)), ("two", ids(1025 + n * 40, 15))])
            for n in range(3)
        ]
        started = [w.start(p) for p in plans]
        peak_jobs, peak_servers = drive_watching(w)
        assert peak_jobs <= LIMITS.concurrent_jobs
        assert peak_servers <= LIMITS.servers_in_active_jobs
        assert peak_servers > 20  # the engine did use the room it had
        for ex in started:
            done = w.get(ex.id)
            assert done.status == "COMPLETED"
            assert all(len(b.source_server_ids) <= 10 for b in done.batches)
            codes = {e.data.get("code") for e in events(w, ex.id) if e.kind == "drs.error"}
            assert not codes & {"ServiceQuotaExceededException", "ConflictException"}
        assert set(w.launches().values()) == {1} and len(w.launches()) == 125


def test_a_recovery_gets_capacity_before_a_drill() -> None:
    with world(fleet(200), config=CONFIG) as w:
        drill = w.start(w.plan("drill", [("big", ids(1000, 60))]))
        w.tick()
        recovery = w.start(w.plan("dr", [("big", ids(1100, 30))]), type="RECOVERY")
        w.drive()
        starts = {}
        for ex in (drill, recovery):
            done = w.get(ex.id)
            assert done.status == "COMPLETED"
            starts[ex.type] = sorted(b.started_at for b in done.batches if b.started_at)
        # Once the recovery asked, the drill started no job until the recovery had all of its.
        later = [s for s in starts["DRILL"] if s > starts["RECOVERY"][0]]
        assert later and all(s >= starts["RECOVERY"][-1] for s in later)
