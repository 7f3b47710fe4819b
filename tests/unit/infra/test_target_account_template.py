"""infra/target-account.yaml: what drorch calls in a spoke, trusting only hub + external id."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from drorch.adapters.aws import drs as drs_adapter
from drorch.adapters.aws import probe

TEMPLATE = Path(__file__).resolve().parents[3] / "infra" / "target-account.yaml"


class CfnLoader(yaml.SafeLoader):
    """Reads CloudFormation's short-form tags (!Sub, !Ref, !GetAtt) as plain values."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return {suffix: loader.construct_scalar(node)}
    return {suffix: loader.construct_sequence(node)}  # type: ignore[arg-type]


CfnLoader.add_multi_constructor("!", _tag)


def template() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.load(TEMPLATE.read_text(), Loader=CfnLoader)
    return loaded


def allowed_actions() -> set[str]:
    role = template()["Resources"]["TargetRole"]["Properties"]
    return {
        action
        for policy in role["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
        for action in statement["Action"]
    }


def pascal(snake: str) -> str:
    return "".join(part.title() for part in snake.split("_"))


def test_the_trust_is_the_hub_account_with_the_external_id_condition() -> None:
    doc = template()
    role = doc["Resources"]["TargetRole"]["Properties"]
    [statement] = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Action"] == "sts:AssumeRole"
    assert "${HubAccountId}" in statement["Principal"]["AWS"]["Sub"]
    assert statement["Condition"] == {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}}
    assert set(doc["Parameters"]) == {"HubAccountId", "ExternalId", "RoleName"}


def test_every_call_of_the_drs_adapter_is_allowed() -> None:
    source = Path(drs_adapter.__file__).read_text()
    called = set(re.findall(r"self\.client\.(\w+)\(", source)) - {"get_paginator"}
    called |= set(re.findall(r'_pages\("(\w+)"', source))
    assert "start_recovery" in called and "describe_source_servers" in called
    missing = {f"drs:{pascal(name)}" for name in called} - allowed_actions()
    assert not missing, f"the spoke role lacks {sorted(missing)}"


def test_the_probes_ec2_reads_are_allowed_and_writes_stay_on_launch_templates() -> None:
    actions = allowed_actions()
    for permission, _ in probe.EC2_CALLS + probe.DRS_CALLS:
        assert permission in actions, permission
    role = template()["Resources"]["TargetRole"]["Properties"]
    writes = [
        s
        for p in role["Policies"]
        for s in p["PolicyDocument"]["Statement"]
        if any(a.startswith("ec2:") and not a.startswith("ec2:Describe") for a in s["Action"])
    ]
    assert [sorted(s["Action"]) for s in writes] == [
        ["ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate"]
    ]
    assert ":launch-template/" in writes[0]["Resource"]["Sub"]
    assert not any(a.endswith("*") for a in actions), "no wildcard actions"


def test_the_role_grants_exactly_the_drs_and_ec2_calls_drorch_makes() -> None:
    from drorch.adapters.aws import ec2 as ec2_adapter

    drs_source = Path(drs_adapter.__file__).read_text()
    drs_calls = set(re.findall(r"self\.client\.(\w+)\(", drs_source)) - {"get_paginator"}
    drs_calls |= set(re.findall(r'_pages\("(\w+)"', drs_source))
    ec2_calls = set(re.findall(r"self\.client\.(\w+)\(", Path(ec2_adapter.__file__).read_text()))
    assert {"create_launch_template_version", "modify_launch_template"} <= ec2_calls
    made = {f"drs:{pascal(n)}" for n in drs_calls} | {f"ec2:{pascal(n)}" for n in ec2_calls}
    made |= {permission for permission, _ in probe.EC2_CALLS + probe.DRS_CALLS}
    # StartRecovery tags the job it creates, which needs drs:TagResource as well.
    assert allowed_actions() == made | {"drs:TagResource"}
