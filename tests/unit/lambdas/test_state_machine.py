"""infra/state-machine.asl.json: the loop's shape, as the templates and the driver rely on it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

DEFINITION = Path(__file__).resolve().parents[3] / "infra" / "state-machine.asl.json"
SUBSTITUTIONS = {
    "AdvanceFunctionArn",
    "SleepFunctionArn",
    "ContinueFunctionArn",
    "RecordFailureFunctionArn",
}


def _states() -> dict[str, Any]:
    states: dict[str, Any] = json.loads(DEFINITION.read_text())["States"]
    return states


def _targets(state: dict[str, Any]) -> set[str]:
    found = {state["Next"]} if "Next" in state else set()
    found |= {c["Next"] for c in state.get("Catch", [])}
    found |= {c["Next"] for c in state.get("Choices", [])}
    found |= {state["Default"]} if "Default" in state else set()
    return found


def test_the_templates_substitute_exactly_the_four_function_arns() -> None:
    assert set(re.findall(r"\$\{(\w+)\}", DEFINITION.read_text())) == SUBSTITUTIONS


def test_every_state_is_reachable_from_advance_and_every_target_exists() -> None:
    states = _states()
    seen, todo = set(), ["Advance"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        assert name in states, name
        todo += sorted(_targets(states[name]))
    assert seen == set(states)


def test_advance_retries_lambda_failures_with_backoff_and_records_what_it_could_not() -> None:
    advance = _states()["Advance"]
    first = advance["Retry"][0]
    assert "Lambda.ServiceException" in first["ErrorEquals"]
    assert first["BackoffRate"] > 1 and first["MaxAttempts"] >= 3
    assert advance["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "RecordFailure"}
    ]
    assert _states()["RecordFailure"]["Next"] == "Failed"
    assert _states()["Failed"]["Type"] == "Fail"


def test_sleep_waits_on_a_task_token_until_the_engines_next_look() -> None:
    sleep = _states()["Sleep"]
    assert sleep["Resource"] == "arn:aws:states:::lambda:invoke.waitForTaskToken"
    assert sleep["Parameters"]["Payload"]["token.$"] == "$$.Task.Token"
    assert sleep["TimeoutSecondsPath"] == "$.advance.wait_seconds"
    assert sleep["Next"] == "Advance"
    timeout = next(c for c in sleep["Catch"] if c["ErrorEquals"] == ["States.Timeout"])
    assert timeout["Next"] == "Advance"


def test_the_choice_ends_a_finished_loop_and_continues_a_long_one_as_new() -> None:
    states = _states()
    choices = states["Done?"]["Choices"]
    assert choices[0] == {"Variable": "$.advance.terminal", "BooleanEquals": True, "Next": "Done"}
    assert choices[1]["NumericGreaterThanEqualsPath"] == "$.max_loops"
    assert choices[1]["Next"] == "ContinueAsNew"
    assert states["Done?"]["Default"] == "Sleep"
    # Each loop is counted in the state, so the limit is checked without any history read.
    assert states["Count"]["Parameters"]["loop.$"] == "States.MathAdd($.loop, 1)"
    assert states["ContinueAsNew"]["Parameters"]["Payload"]["state_machine_arn.$"] == (
        "$$.StateMachine.Id"
    )
