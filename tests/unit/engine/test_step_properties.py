"""Properties of waves that mix servers and steps, run through apply/decide with virtual time."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from drorch.domain.actions import Action
from drorch.domain.executions import Command, Execution
from drorch.domain.statuses import TERMINAL_STATUSES
from tests.unit.engine.factory import at, execution, sid
from tests.unit.engine.sim import PureDrs, step

TICK = 30.0  # seconds of engine time between advances


@st.composite
def actions(draw: st.DrawFn, wave: str) -> tuple[list[Action], dict[str, str]]:
    """A wave's steps (waits and approvals) and each approval's decision."""
    found, decisions = [], {}
    for i in range(draw(st.integers(0, 3))):
        name = f"{wave}-a{i}"
        phase = draw(st.sampled_from(["before", "after"]))
        on_failure = draw(st.sampled_from(["fail_wave", "continue"]))
        if draw(st.booleans()):
            minutes = draw(st.sampled_from([0.5, 1.0, 2.0]))
            # A timeout shorter than the wait fails it.
            timeout = draw(st.sampled_from([1.0, 60.0]))
            found.append(
                Action(
                    name=name,
                    type="wait",
                    params={"minutes": minutes},
                    phase=phase,
                    on_failure=on_failure,
                    timeout_minutes=timeout,
                )
            )
        else:
            found.append(Action(name=name, type="approval", phase=phase, on_failure=on_failure))
            decisions[name] = draw(st.sampled_from(["approve", "decline"]))
    return found, decisions


@st.composite
def plans(
    draw: st.DrawFn,
) -> tuple[list[tuple[str, int]], dict[str, list[Action]], dict[str, str], set[str]]:
    count = draw(st.integers(1, 4))
    names = [f"w{i}" for i in range(count)]
    waves = [(n, draw(st.integers(0, 2))) for n in names]
    if all(c == 0 for _, c in waves):
        waves[0] = (names[0], 1)
    steps: dict[str, list[Action]] = {}
    decisions: dict[str, str] = {}
    for n in names:
        steps[n], chosen = draw(actions(n))
        decisions.update(chosen)
    total = sum(c for _, c in waves)
    fails = {sid(i) for i in draw(st.sets(st.integers(1, total), max_size=total))}
    return waves, steps, decisions, fails


def _decisions(ex: Execution, decisions: dict[str, str], now: object) -> list[Command]:
    return [
        Command(action=decisions[s.name], actor="boss", at=now, step=s.name)  # type: ignore[arg-type]
        for s in ex.steps()
        if s.type == "approval" and s.status == "RUNNING"
    ]


def check_phases(ex: Execution) -> None:
    """Servers only after before-steps, after-steps only after servers; terminal means all."""
    for wave in ex.waves:
        before = [s for s in wave.steps if s.phase == "before"]
        after = [s for s in wave.steps if s.phase == "after"]
        for server in wave.servers:
            if server.started_at is not None:
                assert all(
                    s.status in ("SUCCEEDED", "SKIPPED", "SIMULATED")
                    or (s.status == "FAILED" and s.on_failure == "continue")
                    for s in before
                ), wave.name
                assert all(s.ended_at and s.ended_at <= server.started_at for s in before)
        for s in after:
            if s.started_at is not None:
                assert all(v.status in ("LAUNCHED", "FAILED") for v in wave.servers)
                assert not any(v.status == "FAILED" and not v.optional for v in wave.servers)
                assert all(v.ended_at and v.ended_at <= s.started_at for v in wave.servers)
        if wave.status in ("COMPLETED", "FAILED", "SKIPPED", "CANCELLED"):
            assert all(s.terminal for s in wave.steps), wave.name
        running = [s for s in wave.steps if s.status == "RUNNING"]
        assert len(running) <= 1  # steps of a phase run one after another


def expected_end(ex: Execution) -> str:
    waves = [w.status for w in ex.waves]
    if "COMPLETED" not in waves:
        return "FAILED"
    steps_ok = not any(s.status == "FAILED" for s in ex.steps())
    servers_ok = all(s.status == "LAUNCHED" for s in ex.servers())
    return "COMPLETED" if set(waves) == {"COMPLETED"} and steps_ok and servers_ok else "PARTIAL"


@settings(max_examples=40, deadline=None)
@given(plans())
def test_waves_mixing_servers_and_steps_settle_by_the_documented_rules(
    plan: tuple[list[tuple[str, int]], dict[str, list[Action]], dict[str, str], set[str]],
) -> None:
    waves, steps, decisions, fails = plan
    drs = PureDrs(fails=fails)
    ex = execution(waves, actions=steps, type="RECOVERY")
    for i in range(60):
        now = at(i * TICK)
        ex = step(ex, drs, now, _decisions(ex, decisions, now))
        check_phases(ex)
        drs.finish(now + timedelta(seconds=TICK / 2))
        if ex.status in TERMINAL_STATUSES:
            break
    assert ex.status in TERMINAL_STATUSES, [(w.name, w.status) for w in ex.waves]
    assert ex.status == expected_end(ex)
    assert not any(s.status == "RUNNING" for s in ex.steps())
    for wave in ex.waves:
        if wave.status == "SKIPPED":
            continue
        required_failed = any(s.status == "FAILED" and not s.optional for s in wave.servers)
        step_failed = any(s.status == "FAILED" and s.on_failure == "fail_wave" for s in wave.steps)
        assert (wave.status == "FAILED") == (required_failed or step_failed), wave.name
        for s in wave.steps:
            if s.type == "approval" and s.status in ("SUCCEEDED", "FAILED"):
                assert (s.status == "SUCCEEDED") == (decisions[s.name] == "approve")


def test_after_steps_of_a_wave_whose_servers_failed_are_skipped() -> None:
    after = Action(name="switch", type="wait", params={"minutes": 1}, phase="after")
    drs = PureDrs(fails={sid(1)})
    ex = execution([("db", 1)], actions={"db": [after]}, type="RECOVERY")
    for i in range(10):
        ex = step(ex, drs, at(i * TICK))
        drs.finish(at(i * TICK + TICK / 2))
    assert ex.steps()[0].status == "SKIPPED" and ex.steps()[0].started_at is None
    assert ex.waves[0].status == "FAILED" and ex.status == "FAILED"
