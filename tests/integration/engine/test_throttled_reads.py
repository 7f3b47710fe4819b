"""Throttled follow-up reads: a batch closes only once its instances and failures are read."""

from __future__ import annotations

import contextlib
from typing import Any

from botocore.exceptions import ClientError

from tests.integration.engine.harness import World, events, ids, world
from tests.support.sandbox import many_servers

# One request per 1,000 s of real time: after the bucket's one token, every call is refused.
STARVED = 0.001
NO_JOB = "drsjob-" + "0" * 17


def starve(w: World, operation: str, spend: Any) -> None:
    """Throttle an operation in the test scope and spend its only token, so every call fails."""
    assert w.sb.admin("POST", "faults", {"throttle": {operation: STARVED}}).status_code == 200
    with contextlib.suppress(ClientError):  # the token is spent whatever DRS answers
        spend(w.sb.client())


def run_for(w: World, steps: int) -> None:
    """Tick and jump `steps` times, whatever the execution does."""
    for _ in range(steps):
        w.tick()
        w.jump()


def test_throttled_describe_recovery_instances_is_retried_before_anything_completes() -> None:
    with world(many_servers(6)) as w:
        plan = w.plan("p", [("a", ids(1000, 3)), ("b", ids(1003, 3))])
        starve(w, "DescribeRecoveryInstances", lambda drs: drs.describe_recovery_instances())
        ex = w.start(plan)
        run_for(w, 200)
        stuck = w.get(ex.id)
        # DRS finished wave a's job, but drorch has not seen its EC2 instances: a stays open.
        assert stuck.status == "RUNNING"
        assert stuck.wave("a").status == "RUNNING" and stuck.wave("b").status == "PENDING"
        assert [b.state for b in stuck.batches] == ["ACTIVE"]
        assert stuck.batches[0].job_status == "COMPLETED"
        codes = {(e.data.get("operation"), e.data.get("code")) for e in events(w, ex.id)}
        assert ("DescribeRecoveryInstances", "ThrottlingException") in codes
        w.sb.admin("DELETE", "faults")
        w.drive()
        done = w.get(ex.id)
        assert done.status == "COMPLETED"
        assert all(s.ec2_instance_id and s.recovery_instance_id for s in done.servers())
        assert {b.state for b in done.batches} == {"DONE"}
        assert set(w.launches().values()) == {1}


def test_throttled_describe_job_log_items_keeps_the_failure_reason() -> None:
    with world(many_servers(4)) as w:
        failing = ids(1000, 2)
        plan = w.plan("p", [("a", ids(1000, 4))], optional=failing)
        w.sb.admin("POST", "faults", {"fail_launches": failing})
        starve(w, "DescribeJobLogItems", lambda drs: drs.describe_job_log_items(jobID=NO_JOB))
        ex = w.start(plan)
        run_for(w, 200)
        stuck = w.get(ex.id)
        assert stuck.status == "RUNNING"
        # The servers DRS failed wait for their reason instead of failing without one.
        assert {s.status for s in stuck.servers() if s.source_server_id in failing} == {"LAUNCHING"}
        w.sb.admin("DELETE", "faults")
        w.drive()
        done = w.get(ex.id)
        assert done.status == "PARTIAL"
        reasons = [s.error or "" for s in done.servers() if s.source_server_id in failing]
        assert len(reasons) == 2 and all(r.startswith("LAUNCH_FAILED") for r in reasons)
        assert all(s.ec2_instance_id for s in done.servers() if s.status == "LAUNCHED")
