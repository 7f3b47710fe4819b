"""The stack's template: infra/drorch.yaml plus the parts generated from their one source.

The DynamoDB tables come from the store adapter's `table_definitions` (so the stack and the
adapter can never disagree), each with PITR, server-side encryption, on-demand billing, a
Retain policy and a throttling alarm; the state machine's definition is
infra/state-machine.asl.json, every `${XxxFunctionArn}` in it bound to that function's `live`
alias; every function gets a version and that alias, and the API deployment is named after
its routes (drorch.deploy.versions).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

from drorch.adapters.storage.dynamodb.tables import table_definitions
from drorch.deploy import versions

# Names as CloudFormation resolves them: the template's tables are named by this Fn::Sub.
TABLE_PREFIX = "drorch-${EnvironmentName}"
FUNCTION_ARN = re.compile(r"\$\{(\w+)FunctionArn\}")
ALARM_PERIOD = 300
# The package digest of a template built without a package (`drorch deploy validate`).
NO_PACKAGE = "0" * 64


class TemplateError(ValueError):
    """The template or the state machine file cannot make a valid stack."""


class _CfnLoader(yaml.SafeLoader):
    """YAML loader that reads CloudFormation's short tags (!Ref, !Sub, ...) as long forms."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        value = value.split(".", 1)
    return {f"Fn::{suffix}": value}


_CfnLoader.add_multi_constructor("!", _tag)


def load_yaml(text: str) -> dict[str, Any]:
    """A CloudFormation YAML template as plain data (short tags in their long form)."""
    loaded = yaml.load(text, Loader=_CfnLoader)  # a SafeLoader subclass
    if not isinstance(loaded, dict) or "Resources" not in loaded:
        raise TemplateError("not a CloudFormation template: no Resources")
    return loaded


def logical_id(table_name: str, prefix: str) -> str:
    """`drorch-x-execution-records` -> `ExecutionRecordsTable` (the name after the prefix)."""
    rest = table_name[len(prefix) :] if table_name.startswith(prefix) else table_name
    words = re.split(r"[^A-Za-z0-9]+", rest)
    return "".join(word[:1].upper() + word[1:] for word in words if word) + "Table"


def table_resource(definition: dict[str, Any]) -> dict[str, Any]:
    """One CreateTable definition as an AWS::DynamoDB::Table resource (PITR, SSE, on-demand)."""
    properties: dict[str, Any] = {
        key: value for key, value in definition.items() if key not in {"TableName", "BillingMode"}
    }
    properties["TableName"] = {"Fn::Sub": definition["TableName"]}
    properties["BillingMode"] = "PAY_PER_REQUEST"
    properties["PointInTimeRecoverySpecification"] = {"PointInTimeRecoveryEnabled": True}
    properties["SSESpecification"] = {"SSEEnabled": True}
    properties["DeletionProtectionEnabled"] = False  # destroy keeps tables by Retain instead
    return {
        "Type": "AWS::DynamoDB::Table",
        # Data outlives the stack: destroy and replacements keep the table (and back it up).
        "DeletionPolicy": "Retain",
        "UpdateReplacePolicy": "Retain",
        "Properties": properties,
    }


def throttle_alarm(table_id: str) -> dict[str, Any]:
    """An alarm on a generated table's read and write throttling events."""

    def stat(metric_id: str, name: str) -> dict[str, Any]:
        return {
            "Id": metric_id,
            "ReturnData": False,
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/DynamoDB",
                    "MetricName": name,
                    "Dimensions": [{"Name": "TableName", "Value": {"Ref": table_id}}],
                },
                "Period": ALARM_PERIOD,
                "Stat": "Sum",
            },
        }

    return {
        "Type": "AWS::CloudWatch::Alarm",
        "Properties": {
            "AlarmName": {"Fn::Sub": f"drorch-${{EnvironmentName}}-{table_id}-throttles"},
            "AlarmDescription": {"Fn::Sub": f"DynamoDB throttled requests to ${{{table_id}}}."},
            "Metrics": [
                {"Id": "throttles", "Expression": "reads + writes", "ReturnData": True},
                stat("reads", "ReadThrottleEvents"),
                stat("writes", "WriteThrottleEvents"),
            ],
            "EvaluationPeriods": 1,
            "Threshold": 1,
            "ComparisonOperator": "GreaterThanOrEqualToThreshold",
            "TreatMissingData": "notBreaching",
            "AlarmActions": [{"Ref": "AlarmTopic"}],
            "OKActions": [{"Ref": "AlarmTopic"}],
        },
    }


def add_tables(template: dict[str, Any]) -> list[str]:
    """Insert every store table (and its alarm); the logical ids, in definition order."""
    resources = template["Resources"]
    ids = []
    for definition in table_definitions(TABLE_PREFIX):
        table_id = logical_id(definition["TableName"], TABLE_PREFIX)
        if table_id in resources:
            raise TemplateError(f"generated table {table_id} clashes with a template resource")
        resources[table_id] = table_resource(definition)
        resources[f"{table_id}ThrottleAlarm"] = throttle_alarm(table_id)
        ids.append(table_id)
    template.setdefault("Outputs", {})["TableNames"] = {
        "Description": "The store's DynamoDB tables (kept by destroy unless --delete-data).",
        "Value": {"Fn::Join": [",", [{"Ref": table_id} for table_id in ids]]},
    }
    return ids


def definition_string(asl_text: str, resources: dict[str, Any]) -> dict[str, Any]:
    """The ASL as an Fn::Sub binding each `${XxxFunctionArn}` to function Xxx's live alias."""
    try:
        json.loads(asl_text)
    except json.JSONDecodeError as exc:
        raise TemplateError(f"the state machine definition is not JSON: {exc}") from exc
    bindings = {}
    for name in sorted(set(FUNCTION_ARN.findall(asl_text))):
        function_id = f"{name}Function"
        if resources.get(function_id, {}).get("Type") != "AWS::Lambda::Function":
            raise TemplateError(f"the state machine names {name}FunctionArn: no {function_id}")
        # The alias ARN spelled out: it resolves even where the alias resource is skipped.
        bindings[f"{name}FunctionArn"] = {"Fn::Sub": f"${{{function_id}.Arn}}:{versions.ALIAS}"}
    return {"Fn::Sub": [asl_text, bindings]}


def build(infra_dir: Path, *, code_digest: str = NO_PACKAGE) -> dict[str, Any]:
    """The whole stack template from infra/ for the package whose content hash is given."""
    template = load_yaml((infra_dir / "drorch.yaml").read_text())
    add_tables(template)
    machine = template["Resources"].get("StateMachine")
    if machine is None:
        raise TemplateError("infra/drorch.yaml has no StateMachine resource")
    asl = (infra_dir / "state-machine.asl.json").read_text()
    machine["Properties"]["DefinitionString"] = definition_string(asl, template["Resources"])
    versions.add_versions(template, code_digest)
    versions.name_api_deployment(template)
    return template


def render(template: dict[str, Any]) -> str:
    """The template as the stable JSON text uploaded (same input, same bytes).

    Resources keep the YAML's order, which lists what others depend on first: a
    CloudFormation that creates in document order (moto's updates do) stays correct.
    """
    return json.dumps(template, separators=(",", ":"))
