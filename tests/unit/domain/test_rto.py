"""RTO achieved by value: first launch start to last server launched, minus PAUSED time."""

from __future__ import annotations

from drorch.domain.executions import Command, Execution
from drorch.domain.rto import rto_figures
from tests.unit.engine.factory import at, execution
from tests.unit.engine.sim import PureDrs, step


def _with_rto(ex: Execution, minutes: int) -> Execution:
    plan = ex.snapshot.plan.model_copy(update={"rto_minutes": minutes})
    return ex.model_copy(update={"snapshot": ex.snapshot.model_copy(update={"plan": plan})})


def _held_run(rto_minutes: int) -> Execution:
    """Wave a launches 0 s -> 60 s; wave b is held 60 s -> 360 s, then launches until 420 s."""
    drs = PureDrs()
    held = execution([("a", 1), ("b", 1)], pause_before=("b",))
    ex = step(_with_rto(held, rto_minutes), drs, at(0))
    drs.finish(at(5))
    ex = step(ex, drs, at(60))
    assert ex.status == "PAUSED"
    ex = step(ex, drs, at(360), [Command(action="resume", actor="op", at=at(360))])
    drs.finish(at(365))
    return step(ex, drs, at(420))


def test_a_held_wave_is_left_out_of_rto_achieved_and_reported_as_paused() -> None:
    ex = _held_run(rto_minutes=10)
    assert ex.status == "COMPLETED"
    figures = rto_figures(ex, at(9999))
    assert figures.achieved_seconds == 120.0
    assert figures.paused_seconds == 300.0
    assert figures.within_rto is True


def test_rto_achieved_over_the_target_is_not_within_rto() -> None:
    figures = rto_figures(_held_run(rto_minutes=1), at(9999))
    assert (figures.achieved_seconds, figures.within_rto) == (120.0, False)


def test_an_operator_pause_while_a_wave_runs_is_left_out() -> None:
    drs = PureDrs()
    ex = step(_with_rto(execution([("a", 1), ("b", 1)]), 5), drs, at(0))
    ex = step(ex, drs, at(30), [Command(action="pause", actor="op", at=at(30))])
    drs.finish(at(40))
    ex = step(ex, drs, at(50))
    assert ex.status == "PAUSED"
    # A pause still lasting counts up to `now`.
    assert rto_figures(ex, at(80)).paused_seconds == 50.0
    ex = step(ex, drs, at(230), [Command(action="resume", actor="op", at=at(230))])
    drs.finish(at(240))
    ex = step(ex, drs, at(300))
    assert ex.status == "COMPLETED"
    figures = rto_figures(ex, at(9999))
    assert figures.paused_seconds == 200.0
    assert figures.achieved_seconds == 100.0
    assert figures.within_rto is True


def test_a_cancelled_drill_has_no_rto_verdict_even_with_servers_launched() -> None:
    drs = PureDrs()
    ex = step(_with_rto(execution([("a", 1), ("b", 1)]), 600), drs, at(0))
    drs.finish(at(5))
    ex = step(ex, drs, at(10))
    ex = step(ex, drs, at(20), [Command(action="cancel", actor="op", at=at(20))])
    drs.finish(at(25))
    ex = step(ex, drs, at(30))
    assert ex.status == "CANCELLED"
    figures = rto_figures(ex, at(9999))
    assert figures.achieved_seconds == 30.0
    assert figures.within_rto is None


def test_nothing_launched_means_no_rto_achieved() -> None:
    ex = execution([("a", 1)])
    assert rto_figures(ex, at(5)) == rto_figures(ex, at(50))
    assert rto_figures(ex, at(5)).achieved_seconds is None
