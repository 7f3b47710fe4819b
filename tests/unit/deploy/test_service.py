"""The deploy's choices that need no AWS: parameters, what changed, when a stack can take one."""

from __future__ import annotations

import pytest

from drorch.deploy import service
from drorch.errors import DeployError

DECLARED = {
    "EnvironmentName": {"Type": "String"},
    "LogLevel": {"Type": "String", "Default": "INFO"},
    "LogRetentionDays": {"Type": "Number", "Default": 30},
    "Secret": {"Type": "String", "NoEcho": True, "Default": ""},
}


def test_a_new_stack_gets_the_given_values_and_the_defaults_spelled_out() -> None:
    found = service.stack_parameters(DECLARED, {"EnvironmentName": "prod"}, None)
    assert found == [
        {"ParameterKey": "EnvironmentName", "ParameterValue": "prod"},
        {"ParameterKey": "LogLevel", "ParameterValue": "INFO"},
        {"ParameterKey": "LogRetentionDays", "ParameterValue": "30"},
        {"ParameterKey": "Secret", "ParameterValue": ""},
    ]


def test_an_update_keeps_previous_values_and_masked_ones_by_reference() -> None:
    previous = {
        "EnvironmentName": "prod",
        "LogLevel": "DEBUG",
        "LogRetentionDays": "60",
        "Secret": "****",
    }
    found = service.stack_parameters(DECLARED, {"EnvironmentName": "prod"}, previous)
    assert {"ParameterKey": "LogLevel", "ParameterValue": "DEBUG"} in found
    assert {"ParameterKey": "LogRetentionDays", "ParameterValue": "60"} in found
    assert {"ParameterKey": "Secret", "UsePreviousValue": True} in found


def test_unknown_and_missing_parameters_are_refused() -> None:
    with pytest.raises(DeployError, match="no parameter Bogus"):
        service.stack_parameters(DECLARED, {"Bogus": "1"}, None)
    with pytest.raises(DeployError, match="needs EnvironmentName"):
        service.stack_parameters(DECLARED, {}, None)


def test_parameter_changes_name_the_old_and_new_value() -> None:
    existing = {"Parameters": [{"ParameterKey": "LogLevel", "ParameterValue": "INFO"}]}
    assert service.parameter_changes(existing, {"LogLevel": "DEBUG"}) == [
        {"key": "LogLevel", "from": "INFO", "to": "DEBUG"}
    ]
    assert service.parameter_changes(existing, {"LogLevel": "INFO"}) == []
    assert service.parameter_changes(None, {"LogLevel": "DEBUG"}) == []


@pytest.mark.parametrize(
    ("status", "says"),
    [
        ("UPDATE_IN_PROGRESS", "wait until"),
        ("ROLLBACK_COMPLETE", "drorch deploy destroy --env prod"),
    ],
)
def test_a_busy_or_dead_stack_takes_no_change_set(status: str, says: str) -> None:
    with pytest.raises(DeployError, match=says):
        service._check_ready("drorch-prod", {"StackStatus": status})
    service._check_ready("drorch-prod", {"StackStatus": "UPDATE_ROLLBACK_COMPLETE"})
    service._check_ready("drorch-prod", None)
