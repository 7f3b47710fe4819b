"""The generated stack template: tables from the store adapter, the state machine from its ASL."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import cfnlint.api
import pytest

from drorch.adapters.storage.dynamodb.tables import table_definitions, table_name
from drorch.config import DEFAULT_COGNITO_GROUPS, Settings
from drorch.deploy import template

INFRA = Path(__file__).resolve().parents[3] / "infra"
ADDED = {"PointInTimeRecoverySpecification", "SSESpecification", "DeletionProtectionEnabled"}


@pytest.fixture(scope="module")
def built() -> dict[str, Any]:
    return template.build(INFRA)


def resolved(value: Any, env: str) -> Any:
    """A table property with the stack's `${EnvironmentName}` substituted."""
    if isinstance(value, dict) and set(value) == {"Fn::Sub"}:
        return value["Fn::Sub"].replace("${EnvironmentName}", env)
    return value


def tables(built: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        logical: resource
        for logical, resource in built["Resources"].items()
        if resource["Type"] == "AWS::DynamoDB::Table"
    }


def test_the_generated_tables_are_the_store_adapters_definitions(built: dict[str, Any]) -> None:
    generated = [
        {key: resolved(value, "test") for key, value in r["Properties"].items() if key not in ADDED}
        for r in tables(built).values()
    ]
    expected = table_definitions("drorch-test")
    assert sorted(generated, key=lambda t: t["TableName"]) == sorted(
        expected, key=lambda t: t["TableName"]
    )


def test_every_table_keeps_its_data_safe(built: dict[str, Any]) -> None:
    found = tables(built)
    assert found
    for resource in found.values():
        props = resource["Properties"]
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert props["SSESpecification"] == {"SSEEnabled": True}
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain"


def test_every_table_has_a_throttle_alarm_and_is_listed_in_the_outputs(
    built: dict[str, Any],
) -> None:
    ids = list(tables(built))
    for table_id in ids:
        alarm = built["Resources"][f"{table_id}ThrottleAlarm"]["Properties"]
        dims = [m["MetricStat"]["Metric"]["Dimensions"] for m in alarm["Metrics"][1:]]
        assert all(d == [{"Name": "TableName", "Value": {"Ref": table_id}}] for d in dims)
        assert alarm["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    listed = built["Outputs"]["TableNames"]["Value"]["Fn::Join"][1]
    assert listed == [{"Ref": table_id} for table_id in ids]


def test_the_state_machine_definition_is_the_asl_file_with_its_functions_bound(
    built: dict[str, Any],
) -> None:
    text, bindings = built["Resources"]["StateMachine"]["Properties"]["DefinitionString"]["Fn::Sub"]
    assert text == (INFRA / "state-machine.asl.json").read_text()
    for name in template.FUNCTION_ARN.findall(text):
        # Each task calls the function's live alias (what rollback moves), not $LATEST.
        assert bindings[f"{name}FunctionArn"] == {"Fn::Sub": f"${{{name}Function.Arn}}:live"}
        assert built["Resources"][f"{name}Function"]["Type"] == "AWS::Lambda::Function"


def test_an_asl_naming_a_function_the_template_lacks_is_refused() -> None:
    resources = {"AdvanceFunction": {"Type": "AWS::Lambda::Function"}}
    with pytest.raises(template.TemplateError, match="no ReportFunction"):
        template.definition_string('{"x": "${ReportFunctionArn}"}', resources)
    assert template.definition_string('{"x": "${AdvanceFunctionArn}"}', resources)


GENERATED = ("Table", "ThrottleAlarm", "LiveAlias")
GENERATED_TYPES = {"AWS::Lambda::Version", "AWS::ApiGateway::Deployment"}
STUB_FUNCTION = {
    "Type": "AWS::Lambda::Function",
    "Properties": {
        "Role": "arn:aws:iam::123456789012:role/stub",
        "Runtime": "python3.12",
        "Handler": "stub.handler",
        "Code": {"ZipFile": "def handler(event, context): pass"},
    },
}


def stub_method(verb: str) -> dict[str, Any]:
    return {
        "Type": "AWS::ApiGateway::Method",
        "Properties": {
            "RestApiId": {"Ref": "RestApi"},
            "ResourceId": {"Fn::GetAtt": ["RestApi", "RootResourceId"]},
            "HttpMethod": verb,
            "AuthorizationType": "NONE",
            "Integration": {"Type": "MOCK"},
        },
    }


def test_the_generated_resources_are_cfn_lint_clean(built: dict[str, Any]) -> None:
    # infra/drorch.yaml itself is linted by `make cfnlint`; here only what the generator adds
    # (tables, alarms, versions, aliases, the API deployment and the stage naming it), beside
    # stand-ins for what they refer to (cheaper than linting the whole stack again).
    resources = built["Resources"]
    generated = {
        key: resource
        for key, resource in resources.items()
        if key.endswith(GENERATED) or resource["Type"] in GENERATED_TYPES or key == "ApiStage"
    }
    stand_ins = {key: STUB_FUNCTION for key in template_functions(built)}
    stand_ins["RestApi"] = {"Type": "AWS::ApiGateway::RestApi", "Properties": {"Name": "stub"}}
    stand_ins["ApiAccessLogGroup"] = {"Type": "AWS::Logs::LogGroup"}
    stand_ins["ApiGatewayAccount"] = resources["ApiGatewayAccount"]
    stand_ins["ApiGatewayLogsRole"] = resources["ApiGatewayLogsRole"]
    for key, resource in resources.items():  # the deployment depends on the gateway responses
        if resource["Type"] == "AWS::ApiGateway::GatewayResponse":
            stand_ins[key] = resource
    for key, verb in (
        ("HealthMethod", "GET"),
        ("ProxyMethod", "ANY"),
        ("ProxyPreflightMethod", "PUT"),
    ):
        stand_ins[key] = stub_method(verb)
    parameters = ("EnvironmentName", "LogLevel", "UiOrigin")
    doc = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Parameters": {name: {"Type": "String"} for name in parameters},
        "Resources": {"AlarmTopic": {"Type": "AWS::SNS::Topic"}, **stand_ins, **generated},
        "Outputs": {"TableNames": built["Outputs"]["TableNames"]},
    }
    matches = cfnlint.api.lint(json.dumps(doc), regions=["us-east-1"])
    assert [str(m) for m in matches] == []
    assert sum(r["Type"] == "AWS::Lambda::Version" for r in generated.values()) == 7


def template_functions(built: dict[str, Any]) -> list[str]:
    return [k for k, r in built["Resources"].items() if r["Type"] == "AWS::Lambda::Function"]


def test_rendering_is_stable_bytes(built: dict[str, Any]) -> None:
    again = template.build(INFRA)
    assert template.render(built) == template.render(again)
    assert json.loads(template.render(built)) == built


def test_one_cognito_group_per_drorch_role(built: dict[str, Any]) -> None:
    groups = {
        r["Properties"]["GroupName"]
        for r in built["Resources"].values()
        if r["Type"] == "AWS::Cognito::UserPoolGroup"
    }
    assert groups == set(DEFAULT_COGNITO_GROUPS)


def test_table_logical_ids_come_from_the_name_after_the_prefix() -> None:
    prefix = template.TABLE_PREFIX
    assert template.logical_id(f"{prefix}execution-records", prefix) == "ExecutionRecordsTable"
    assert template.logical_id(f"{prefix}store", prefix) == "StoreTable"


def test_short_tags_load_in_their_long_form() -> None:
    loaded = template.load_yaml(
        "Resources:\n  A:\n    Type: X\n    Properties:\n"
        "      B: !GetAtt Thing.Arn\n      C: !Ref P\n      D: !Sub 'x-${P}'\n"
        "      E: !Join [',', [a, b]]\n"
    )
    props = loaded["Resources"]["A"]["Properties"]
    assert props == {
        "B": {"Fn::GetAtt": ["Thing", "Arn"]},
        "C": {"Ref": "P"},
        "D": {"Fn::Sub": "x-${P}"},
        "E": {"Fn::Join": [",", ["a", "b"]]},
    }


def functions(built: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        logical: resource["Properties"]
        for logical, resource in built["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Function"
    }


def test_every_setting_a_function_is_given_is_one_drorch_reads(built: dict[str, Any]) -> None:
    # Settings ignores unknown variables, so a misspelt name would silently do nothing.
    known = {f"DRORCH_{name.upper()}" for name in Settings.model_fields}
    for logical, properties in functions(built).items():
        names = set(properties["Environment"]["Variables"])
        assert names <= known, f"{logical}: {sorted(names - known)}"
        assert {"DRORCH_STORE", "DRORCH_DRIVER", "DRORCH_DYNAMODB_TABLE_PREFIX"} <= names


def test_the_functions_use_the_store_table_the_template_creates(built: dict[str, Any]) -> None:
    [table] = tables(built).values()
    for properties in functions(built).values():
        prefix = resolved(
            properties["Environment"]["Variables"]["DRORCH_DYNAMODB_TABLE_PREFIX"], "t"
        )
        assert resolved(table["Properties"]["TableName"], "t") == table_name(prefix)


def test_every_handler_is_a_function_of_the_lambda_package(built: dict[str, Any]) -> None:
    for logical, properties in functions(built).items():
        module, _, name = properties["Handler"].rpartition(".")
        assert module.startswith("drorch.lambdas."), logical
        assert callable(getattr(importlib.import_module(module), name)), logical
