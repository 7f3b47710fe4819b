"""Transition rules: declared FROM/TO states, and terminal states stay terminal."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drorch.domain.statuses import (
    TERMINAL_STATUSES,
    CleanupStatus,
    ExecutionStatus,
    ServerStatus,
    WaveStatus,
)
from drorch.engine import rules as r
from drorch.engine.rules import Changes, IllegalTransition
from tests.unit.engine.factory import T0, execution


@pytest.mark.parametrize(
    ("rules", "statuses"),
    [
        (r.EXECUTION_RULES, ExecutionStatus),
        (r.WAVE_RULES, WaveStatus),
        (r.SERVER_RULES, ServerStatus),
        (r.CLEANUP_RULES, CleanupStatus),
    ],
)
def test_rules_name_only_known_states(rules: tuple[r.Rule, ...], statuses: object) -> None:
    known = set(statuses)  # type: ignore[call-overload]
    for rule in rules:
        assert rule.sources <= known, rule.name
        assert rule.target in known, rule.name


def test_no_execution_rule_leaves_a_terminal_status() -> None:
    for rule in r.EXECUTION_RULES:
        assert not rule.sources & TERMINAL_STATUSES, rule.name


def test_a_rule_refuses_a_status_it_does_not_declare() -> None:
    ex = execution([("a", 1)])
    with pytest.raises(IllegalTransition):
        r.move_execution(ex, r.RESUME, Changes(now=T0))
    assert ex.status == "PENDING"


def test_each_change_is_an_event_with_actor_and_time() -> None:
    ex = execution([("a", 1)])
    changes = Changes(now=T0, actor="alice")
    r.move_execution(ex, r.BEGIN, changes)
    r.move_execution(ex, r.PAUSE, changes)
    assert [(e.actor, e.kind, e.at) for e in changes.events] == [
        ("alice", "execution.begin", T0),
        ("alice", "execution.pause", T0),
    ]
    assert ex.started_at == T0


@given(st.lists(st.sampled_from(r.EXECUTION_RULES), max_size=30))
def test_terminal_states_stay_terminal(sequence: list[r.Rule]) -> None:
    ex = execution([("a", 1)])
    ended = None
    for rule in sequence:
        if rule.allows(ex.status):
            r.move_execution(ex, rule, Changes(now=T0))
        if ended is not None:
            assert ex.status == ended
        elif ex.status in TERMINAL_STATUSES:
            ended = ex.status
