"""Properties of random wave graphs run through apply/decide with random launch failures."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from drorch.domain.executions import Execution
from drorch.domain.statuses import TERMINAL_STATUSES
from tests.unit.engine.factory import at, execution, sid
from tests.unit.engine.sim import PureDrs, step


@st.composite
def plans(
    draw: st.DrawFn,
) -> tuple[list[tuple[str, int]], dict[str, list[str]], set[str], set[str]]:
    count = draw(st.integers(1, 6))
    names = [f"w{i}" for i in range(count)]
    waves = [(n, draw(st.integers(1, 3))) for n in names]
    depends = {
        n: sorted(draw(st.sets(st.sampled_from(names[:i]), max_size=2))) if i else []
        for i, n in enumerate(names)
    }
    total = sum(c for _, c in waves)
    fails = {sid(i) for i in draw(st.sets(st.integers(1, total), max_size=total))}
    optional = {sid(i) for i in draw(st.sets(st.integers(1, total), max_size=total))}
    return waves, depends, fails, optional


def check_dag(ex: Execution) -> None:
    for wave in ex.waves:
        if wave.status in ("RUNNING", "COMPLETED", "FAILED"):
            assert all(ex.wave(d).status == "COMPLETED" for d in wave.depends_on), wave.name
        if wave.status == "SKIPPED":
            assert any(ex.wave(d).status in ("FAILED", "SKIPPED") for d in wave.depends_on)


def expected_end(ex: Execution) -> str:
    waves = [w.status for w in ex.waves]
    if "COMPLETED" not in waves:
        return "FAILED"
    if set(waves) == {"COMPLETED"} and all(s.status == "LAUNCHED" for s in ex.servers()):
        return "COMPLETED"
    return "PARTIAL"


@settings(max_examples=60, deadline=None)
@given(plans())
def test_waves_follow_the_dag_and_the_end_state_follows_the_documented_rule(
    plan: tuple[list[tuple[str, int]], dict[str, list[str]], set[str], set[str]],
) -> None:
    waves, depends, fails, optional = plan
    drs = PureDrs(fails=fails)
    ex = execution(waves, depends=depends, optional=tuple(optional))
    ended = None
    for i in range(3 * len(waves) + 3):
        ex = step(ex, drs, at(i * 10))
        check_dag(ex)
        drs.finish(at(i * 10 + 5))
        if ended:
            assert ex.status == ended
        elif ex.status in TERMINAL_STATUSES:
            ended = ex.status
    assert ex.status == expected_end(ex)
    launched = [s for ids in drs.started for s in ids]
    assert len(launched) == len(set(launched))
    for wave in ex.waves:
        required_failed = any(s.status == "FAILED" and not s.optional for s in wave.servers)
        assert (wave.status == "FAILED") == required_failed
