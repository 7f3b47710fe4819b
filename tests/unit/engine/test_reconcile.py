"""Reconciling intents after a crash: adopt, match by tags, declare lost only after grace."""

from __future__ import annotations

from drorch.domain.executions import TAG_BATCH, TAG_EXECUTION, Intent
from drorch.engine.apply import apply
from drorch.engine.config import EngineConfig
from drorch.engine.reconcile import close_intents
from tests.unit.engine.factory import ACCOUNT, REGION, T0, at, execution, job, observation, sid

CONFIG = EngineConfig(reconcile_grace=30.0)


def open_intent(servers: list[str], state: str = "OPEN", job_id: str | None = None) -> Intent:
    return Intent(
        execution_id="ex-1",
        batch_id="b-1",
        kind="LAUNCH",
        execution_type="DRILL",
        account_id=ACCOUNT,
        region=REGION,
        source_server_ids=servers,
        state=state,  # type: ignore[arg-type]
        job_id=job_id,
        created_at=T0,
    )


def test_an_open_intent_missing_from_the_execution_is_adopted_and_matched_by_tags() -> None:
    ex = apply(execution([("a", 2)]), observation(T0), [], [], CONFIG).execution
    tags = {TAG_EXECUTION: "ex-1", TAG_BATCH: "b-1"}
    found = job("j-9", {sid(1): "PENDING", sid(2): "PENDING"}, tags=tags)
    result = apply(ex, observation(at(5), [found]), [], [open_intent([sid(1), sid(2)])], CONFIG)
    batch = result.execution.batch("b-1")
    assert (batch.state, batch.job_id) == ("ACTIVE", "j-9")
    assert [s.status for s in result.execution.servers()] == ["LAUNCHING", "LAUNCHING"]
    assert [(i.state, i.job_id) for i in result.intent_updates] == [("STARTED", "j-9")]


def test_a_job_of_another_batch_does_not_match() -> None:
    ex = apply(execution([("a", 2)]), observation(T0), [], [], CONFIG).execution
    other = job("j-9", {sid(1): "PENDING"}, tags={TAG_EXECUTION: "ex-1", TAG_BATCH: "b-2"})
    result = apply(ex, observation(at(5), [other]), [], [open_intent([sid(1)])], CONFIG)
    assert result.execution.batch("b-1").state == "INTENDED"
    assert result.intent_updates == []


def test_an_unmatched_intent_is_lost_only_after_the_grace_period_and_requeues() -> None:
    ex = apply(execution([("a", 2)]), observation(T0), [], [], CONFIG).execution
    intents = [open_intent([sid(1)])]
    early = apply(ex, observation(at(10)), [], intents, CONFIG)
    assert early.execution.batch("b-1").state == "INTENDED"
    late = apply(early.execution, observation(at(31)), [], intents, CONFIG)
    assert late.execution.batch("b-1").state == "LOST"
    assert late.execution.wave("a").servers[0].status == "PENDING"
    assert [i.state for i in late.intent_updates] == ["FAILED"]


def test_without_a_listing_nothing_is_declared_lost() -> None:
    ex = apply(execution([("a", 1)]), observation(T0), [], [], CONFIG).execution
    result = apply(ex, observation(at(999), listed=False), [], [open_intent([sid(1)])], CONFIG)
    assert result.execution.batch("b-1").state == "INTENDED"


def test_a_started_intent_restores_the_job_id() -> None:
    ex = apply(execution([("a", 1)]), observation(T0), [], [], CONFIG).execution
    intent = open_intent([sid(1)], state="STARTED", job_id="j-3")
    result = apply(ex, observation(at(1), listed=False), [], [intent], CONFIG)
    assert result.execution.batch("b-1").job_id == "j-3"


def test_ended_batches_close_their_intents() -> None:
    ex = apply(execution([("a", 1)]), observation(T0), [], [], CONFIG).execution
    intent = open_intent([sid(1)], state="STARTED", job_id="j-3")
    ex = apply(ex, observation(at(1), listed=False), [], [intent], CONFIG).execution
    done = job("j-3", {sid(1): "LAUNCHED"}, status="COMPLETED")
    ex = apply(ex, observation(at(2), [done]), [], [intent], CONFIG).execution
    assert [i.state for i in close_intents(ex, [intent])] == ["ENDED"]
    assert ex.status == "COMPLETED"
