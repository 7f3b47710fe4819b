"""Faults injected in the sandbox: throttling, failed launches, stalled jobs."""

from __future__ import annotations

from tests.integration.engine.harness import events, ids, world
from tests.support.sandbox import many_servers


def test_throttled_start_recovery_and_describe_jobs_are_retried_without_duplicates() -> None:
    with world(many_servers(40)) as w:
        plan = w.plan("p", [("a", ids(1000, 20)), ("b", ids(1020, 20))])
        ex = w.start(plan)
        w.sb.admin("POST", "faults", {"throttle": {"StartRecovery": 0.001, "DescribeJobs": 0.001}})
        for _ in range(30):
            w.tick()
            w.jump()
        w.sb.admin("DELETE", "faults")
        w.drive()
        done = w.get(ex.id)
        assert done.status == "COMPLETED"
        assert set(w.launches().values()) == {1} and len(w.launches()) == 40
        codes = {e.data.get("code") for e in events(w, ex.id) if e.kind == "drs.error"}
        assert "ThrottlingException" in codes


def test_failed_launches_fail_required_waves_and_skip_dependants() -> None:
    with world(many_servers(12)) as w:
        a, b, c, d = ids(1000, 3), ids(1003, 3), ids(1006, 3), ids(1009, 3)
        depends = {"a": [], "b": ["a"], "c": ["b"], "d": ["a"]}
        plan = w.plan(
            "p", [("a", a), ("b", b), ("c", c), ("d", d)], depends=depends, optional=[d[0]]
        )
        w.sb.admin("POST", "faults", {"fail_launches": [b[1], d[0]]})
        ex = w.start(plan)
        w.drive()
        done = w.get(ex.id)
        assert {x.name: x.status for x in done.waves} == {
            "a": "COMPLETED",
            "b": "FAILED",
            "c": "SKIPPED",
            "d": "COMPLETED",
        }
        assert done.status == "PARTIAL"
        failed = {s.source_server_id: s.error for s in done.servers() if s.status == "FAILED"}
        assert set(failed) == {b[1], d[0]}
        assert all("LAUNCH_FAILED" in (e or "") for e in failed.values())
        assert not any(s in w.launches() for s in c)


def test_a_stalled_job_is_reported_polled_gently_and_finishes_when_released() -> None:
    with world(many_servers(5)) as w:
        plan = w.plan("p", [("a", ids(1000, 5))])
        w.sb.admin("POST", "faults", {"stall_new_jobs": True})
        ex = w.start(plan)
        for _ in range(400):
            w.tick()
            w.jump()
        calls = w.sb.stats()["calls"]["DescribeJobs"]
        hours = (w.clock.now() - ex.created_at).total_seconds() / 3600
        assert hours > 1.5
        assert calls < 200 * hours  # slow polling of a stalled job, not a hot loop
        assert any(e.kind == "job.stalled" for e in events(w, ex.id))
        w.sb.admin("DELETE", "faults")
        w.drive()
        assert w.get(ex.id).status == "COMPLETED"
