"""Actions in plans: per-type params with field paths, names, types, accounts, drill warnings."""

from __future__ import annotations

from drorch.domain.actions import (
    Action,
    action_scope,
    action_warnings,
    check_actions,
    checked_params,
    drill_behaviour,
)
from drorch.domain.plans import Wave, check_waves
from drorch.domain.steps.base import InDrill
from drorch.domain.steps.registry import step_types

SCOPES = {"pg-a": ("111122223333", "us-east-1"), "pg-b": ("444455556666", "us-west-2")}


def _problems(waves: list[Wave]) -> list[tuple[str, str]]:
    return [(p.path, p.message) for p in check_actions(waves, SCOPES)]


def test_my_types_are_registered_with_their_drill_defaults() -> None:
    types = step_types()
    assert {"wait", "approval", "http_check", "invoke_lambda"} <= set(types)
    assert types["wait"].drill_default is InDrill.RUN
    assert types["http_check"].drill_default is InDrill.RUN
    assert types["invoke_lambda"].drill_default is InDrill.SIMULATE
    assert not types["wait"].uses_account and types["invoke_lambda"].uses_account


def test_bad_params_are_named_by_their_field_path() -> None:
    waves = [
        Wave(name="w0", protection_group_ids=["pg-a"]),
        Wave(
            name="w1",
            protection_group_ids=["pg-a"],
            actions=[
                Action(name="ok", type="wait", params={"minutes": 1}),
                Action(name="bad", type="http_check", params={"url": "ftp:/x", "attempts": 0}),
            ],
        ),
    ]
    paths = [p for p, _ in _problems(waves)]
    assert paths == ["waves[1].actions[1].params.url", "waves[1].actions[1].params.attempts"]


def test_unknown_types_and_reused_names_are_errors() -> None:
    waves = [
        Wave(name="w0", actions=[Action(name="x", type="teleport")]),
        Wave(name="w1", actions=[Action(name="x", type="wait", params={"minutes": 1})]),
    ]
    problems = _problems(waves)
    assert problems[0][0] == "waves[0].actions[0].type" and "unknown type" in problems[0][1]
    assert "wait" in problems[0][1]  # the message lists the known types
    assert problems[1] == ("waves[1].actions[0].name", "action name 'x' is used twice")


def test_a_wave_may_hold_only_actions_but_not_nothing() -> None:
    only_actions = Wave(name="gate", actions=[Action(name="ok", type="approval")])
    empty = Wave(name="empty")
    problems = check_waves([only_actions, empty], {})
    assert [p.path for p in problems] == ["waves[1].protection_group_ids"]


def test_the_account_defaults_to_the_waves_single_scope_else_must_be_named() -> None:
    lam = {"function_name": "hook"}
    one = Wave(name="one", protection_group_ids=["pg-a"])
    mixed = Wave(name="mixed", protection_group_ids=["pg-a", "pg-b"])
    named = Action(
        name="named",
        type="invoke_lambda",
        params=lam,
        account_id="444455556666",
        region="eu-west-1",
    )
    assert action_scope(Action(name="a", type="invoke_lambda", params=lam), one, SCOPES) == (
        "111122223333",
        "us-east-1",
    )
    assert action_scope(named, mixed, SCOPES) == ("444455556666", "eu-west-1")
    waves = [
        mixed.model_copy(
            update={"actions": [Action(name="b", type="invoke_lambda", params=lam), named]}
        ),
        Wave(name="bare", actions=[Action(name="c", type="wait", params={"minutes": 1})]),
    ]
    # The wait calls no AWS service: it needs no account even in a wave without groups.
    assert [p for p, _ in _problems(waves)] == ["waves[0].actions[0].account_id"]


def test_running_a_drill_unsafe_type_for_real_is_a_warning_not_an_error() -> None:
    lam = {"function_name": "hook"}
    wave = Wave(
        name="w",
        protection_group_ids=["pg-a"],
        actions=[
            Action(name="real", type="invoke_lambda", params=lam, in_drill="run"),
            Action(name="safe", type="invoke_lambda", params=lam),
            Action(name="check", type="http_check", params={"url": "http://x"}, in_drill="run"),
        ],
    )
    assert _problems([wave]) == []
    warnings = action_warnings([wave])
    assert [w.path for w in warnings] == ["waves[0].actions[0].in_drill"]
    assert drill_behaviour(wave.actions[0]) is InDrill.RUN
    assert drill_behaviour(wave.actions[1]) is InDrill.SIMULATE


def test_checked_params_fill_the_types_defaults() -> None:
    params = checked_params(Action(name="c", type="http_check", params={"url": "http://h/x"}))
    assert params["expected_status"] == 200 and params["attempts"] == 6
    assert params["method"] == "GET" and params["url"] == "http://h/x"
