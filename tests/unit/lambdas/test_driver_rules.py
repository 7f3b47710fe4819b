"""The Step Functions driver's pure rules: the Advance answer, loop names and inputs."""

from __future__ import annotations

from datetime import timedelta

import pytest

from drorch.domain.statuses import CleanupStatus, ExecutionStatus
from drorch.engine.advance import Advanced
from drorch.engine.drivers.stepfunctions import (
    answer,
    generation_name,
    loop_input,
    loop_name,
    wait_seconds,
)
from tests.unit.engine.factory import T0, at, execution


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (at(0), 1),  # due now: Step Functions timeouts are at least one second
        (at(0.2), 1),
        (at(1.01), 2),  # rounded up: never wake before the engine's look is due
        (at(29), 29),
        (at(3600), 30),  # the safety poll: DRS events are best effort
        (T0 - timedelta(seconds=5), 1),  # overdue
        (None, 1),
    ],
)
def test_the_sleep_lasts_until_the_next_look_within_bounds(due: object, expected: int) -> None:
    assert wait_seconds(due, T0, 30) == expected  # type: ignore[arg-type]


def test_a_finished_advance_ends_the_loop() -> None:
    done = answer(Advanced("ex-1", status="COMPLETED"), now=T0, max_wait=30, version=7)
    assert done.as_dict() == {
        "execution_id": "ex-1",
        "status": "COMPLETED",
        "terminal": True,
        "wait_seconds": 1,
        "version": 7,
    }


def test_a_running_advance_sleeps_until_its_next_look() -> None:
    running = Advanced("ex-1", status="RUNNING", next_look_at=at(12))
    result = answer(running, now=T0, max_wait=300, version=3)
    assert (result.terminal, result.wait_seconds) == (False, 12)


@pytest.mark.parametrize("status", ["busy", "lease-lost", "error"])
def test_an_unsettled_advance_looks_again_soon(status: str) -> None:
    # No next look says nothing when another worker held the lease or the pass failed.
    result = answer(Advanced("ex-1", status=status), now=T0, max_wait=300, version=3)
    assert (result.terminal, result.wait_seconds) == (False, 1)


def test_an_unknown_or_idle_execution_ends_the_loop() -> None:
    missing = answer(Advanced("ex-1", status="busy"), now=T0, max_wait=30, version=None)
    assert (missing.status, missing.terminal) == ("missing", True)
    idle = answer(Advanced("ex-1", status="busy"), now=T0, max_wait=30, version=4, idle=True)
    assert (idle.status, idle.terminal) == ("busy", True)


def test_the_run_loop_is_named_after_the_execution_and_each_cleanup_round_apart() -> None:
    ex = execution([("a", 1)])
    assert loop_name(ex) == ex.id
    ended = ex.model_copy(
        update={
            "status": ExecutionStatus.COMPLETED,
            "cleanup_status": CleanupStatus.IN_PROGRESS,
            "cleanup_started_at": at(90),
        }
    )
    assert loop_name(ended) == f"{ex.id}-cleanup-{int(at(90).timestamp())}"
    again = ended.model_copy(update={"cleanup_started_at": at(500)})
    assert loop_name(again) != loop_name(ended)


def test_a_cancelled_run_still_cleaning_up_keeps_its_name_until_cleanup_started() -> None:
    ex = execution([("a", 1)]).model_copy(update={"status": ExecutionStatus.CANCELLING})
    assert loop_name(ex) == ex.id


def test_generations_continue_the_loops_name_and_inputs_start_counting_afresh() -> None:
    assert generation_name("ex-1", 0) == "ex-1"
    assert generation_name("ex-1", 3) == "ex-1-g3"
    assert loop_input("ex-1", "ex-1", max_loops=500, generation=2) == {
        "execution_id": "ex-1",
        "loop_name": "ex-1",
        "generation": 2,
        "loop": 0,
        "max_loops": 500,
    }
