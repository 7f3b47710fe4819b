"""infra/state-machine.asl.json: a valid definition (cfn-lint E3601) whose graph is whole."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cfnlint.api

from drorch.deploy import template

ASL = Path(__file__).resolve().parents[3] / "infra" / "state-machine.asl.json"


def definition() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(ASL.read_text())
    return loaded


def targets(state: dict[str, Any]) -> Iterator[str]:
    """Every state name `state` can move to (Next, Default, Choices, Catch)."""
    for key in ("Next", "Default"):
        if key in state:
            yield state[key]
    for branch in (*state.get("Choices", []), *state.get("Catch", [])):
        if "Next" in branch:
            yield branch["Next"]


def reachable(asl: dict[str, Any]) -> set[str]:
    seen: set[str] = set()
    todo = [asl["StartAt"]]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(targets(asl["States"][name]))
    return seen


def e3601(asl: dict[str, Any]) -> list[str]:
    """cfn-lint's state machine rule over `asl` (as a Definition, functions substituted)."""
    text = json.dumps(asl)
    names = sorted(set(template.FUNCTION_ARN.findall(text)))
    doc = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Resources": {
            "Machine": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {
                    "RoleArn": "arn:aws:iam::123456789012:role/engine",
                    "Definition": asl,
                    "DefinitionSubstitutions": {
                        f"{n}FunctionArn": f"arn:aws:lambda:us-east-1:123456789012:function:{n}"
                        for n in names
                    },
                },
            }
        },
    }
    matches = cfnlint.api.lint(json.dumps(doc), regions=["us-east-1"])
    return [str(m) for m in matches if m.rule.id == "E3601"]


def test_every_transition_names_a_state_that_exists() -> None:
    asl = definition()
    for name, state in asl["States"].items():
        for target in targets(state):
            assert target in asl["States"], f"{name} -> {target}"
    assert asl["StartAt"] in asl["States"]


def test_no_state_is_an_orphan() -> None:
    asl = definition()
    assert reachable(asl) == set(asl["States"])


def test_the_loop_ends_in_succeed_or_fail() -> None:
    asl = definition()
    ends = {state["Type"] for state in asl["States"].values() if not list(targets(state))}
    assert ends <= {"Succeed", "Fail"} and "Succeed" in ends


def test_cfn_lint_finds_the_definition_valid() -> None:
    assert e3601(definition()) == []


def test_cfn_lint_would_catch_a_broken_definition() -> None:
    broken = copy.deepcopy(definition())
    broken["States"][broken["StartAt"]]["Type"] = "Tusk"
    assert e3601(broken)
