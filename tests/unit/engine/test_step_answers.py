"""How an executor's answers change a step (pure): throttling, refusals, lost answers, caps."""

from __future__ import annotations

from datetime import timedelta

from drorch.domain.executions import StepRun
from drorch.engine.steps.run import StepChanges, StepTimings, fold_answer
from drorch.errors import SessionError, StepThrottledError
from drorch.ports.steps import StepProgress, StepState
from tests.unit.engine.factory import at

TIMINGS = StepTimings(poll=5.0, backoff_base=1.0, backoff_cap=60.0, max_attempts=3)


def _running(**fields: object) -> StepRun:
    base = {"name": "s", "type": "http_check", "phase": "before", "status": "RUNNING"}
    return StepRun.model_validate({**base, "attempts": 1, "intent_at": at(0), **fields})


def _fold(step: StepRun, answer: object, seconds: float = 10) -> StepChanges:
    changes = StepChanges(now=at(seconds), wave="w")
    fold_answer(step, changes, answer, TIMINGS, 0.5)
    return changes


def test_a_throttled_start_started_nothing_and_backs_off_honouring_retry_after() -> None:
    step = _running()
    changes = _fold(step, StepThrottledError("slow down", retry_after=20))
    assert step.status == "RUNNING" and step.intent_at is None  # start it again later
    assert step.not_before == at(30)
    assert [e.kind for e in changes.events] == ["step.throttled"]


def test_throttling_is_not_retried_forever() -> None:
    step = _running(called_at=at(1))
    for n in range(3):
        _fold(step, StepThrottledError("slow down", retry_after=0), seconds=10 * (n + 1))
    assert step.status == "FAILED" and step.error_code == "TooManyAttempts"


def test_a_refusal_fails_the_step_with_the_services_code_and_message() -> None:
    step = _running()
    refusal = SessionError(
        "account 999 is not registered", account_id="999", step="assume", code="NotRegistered"
    )
    _fold(step, refusal)
    assert step.status == "FAILED" and step.error_code == "NotRegistered"
    assert step.error == "account 999 is not registered"


def test_progress_keeps_what_changed_even_when_the_step_later_fails() -> None:
    step = _running()
    changed = {"resource": "table t2", "previous": None}
    _fold(step, StepProgress(StepState.RUNNING, changed=changed, poll_after=15))
    assert step.called_at == at(10) and step.not_before == at(10) + timedelta(seconds=15)
    _fold(step, StepProgress(StepState.FAILED, error_code="Boom", error_message="x"), 30)
    assert step.status == "FAILED" and step.changed == changed


def test_an_answer_for_a_step_no_longer_running_changes_nothing() -> None:
    step = _running(status="FAILED", error_code="Timeout")
    assert _fold(step, StepProgress(StepState.SUCCEEDED)).events == []
    assert step.status == "FAILED" and step.error_code == "Timeout"


def test_a_simulated_step_ends_simulated() -> None:
    step = _running(in_drill="simulate")
    _fold(step, StepProgress(StepState.SUCCEEDED, output={"would": "change x"}))
    assert step.status == "SIMULATED" and step.output == {"would": "change x"}
