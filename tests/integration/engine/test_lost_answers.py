"""A StartRecovery whose answer is lost after DRS created the job: reconciled, never re-issued."""

from __future__ import annotations

from botocore.config import Config

from tests.integration.engine.harness import events, ids, world
from tests.support.sandbox import many_servers

# The engine's clients give up after half a second; the sandbox answers StartRecovery only
# 1.5 s after it created the job, so every answer is lost while the job exists.
IMPATIENT = Config(retries={"total_max_attempts": 1}, connect_timeout=5, read_timeout=0.5)
LOSE_ANSWERS = {"latency_after": {"StartRecovery": 1.5}}


def test_a_lost_start_recovery_answer_is_reconciled_and_never_launched_twice() -> None:
    with world(many_servers(6), drs_config=IMPATIENT) as w:
        plan = w.plan("p", [("a", ids(1000, 3)), ("b", ids(1003, 3))])
        assert w.sb.admin("POST", "faults", LOSE_ANSWERS).status_code == 200
        ex = w.start(plan)
        w.tick()
        first = w.get(ex.id)
        # drorch does not know the job yet, but DRS has it: the batch waits to be matched.
        assert [b.state for b in first.batches] == ["INTENDED"]
        assert w.launches() == dict.fromkeys(ids(1000, 3), 1)
        w.drive()
        done = w.get(ex.id)
        assert done.status == "COMPLETED"
        assert w.launches() == dict.fromkeys(ids(1000, 6), 1)
        assert [b.state for b in done.batches] == ["DONE", "DONE"]
        kinds = [e.kind for e in events(w, ex.id)]
        assert kinds.count("batch.unknown") == 2 and kinds.count("batch.reconciled") == 2
        assert "batch.lost" not in kinds
