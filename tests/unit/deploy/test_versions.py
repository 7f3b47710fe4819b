"""Generated versions, live aliases and the API deployment, named after what they hold."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from drorch.deploy import template, versions

INFRA = Path(__file__).resolve().parents[3] / "infra"
ONE, TWO = "1" * 64, "2" * 64


@pytest.fixture(scope="module")
def source() -> dict[str, Any]:
    """infra/drorch.yaml with the tables and the state machine, before the generated names."""
    loaded = template.load_yaml((INFRA / "drorch.yaml").read_text())
    template.add_tables(loaded)
    return loaded


def generated(source: dict[str, Any], code: str = ONE) -> dict[str, Any]:
    made = copy.deepcopy(source)
    versions.add_versions(made, code)
    versions.name_api_deployment(made)
    return made


def of_type(built: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in built["Resources"].items() if r["Type"] == kind}


def test_every_function_has_a_retained_version_and_a_live_alias_on_it(
    source: dict[str, Any],
) -> None:
    built = generated(source)
    functions = of_type(built, "AWS::Lambda::Function")
    aliases = of_type(built, "AWS::Lambda::Alias")
    assert len(functions) == 7 and len(aliases) == 7
    for function_id in functions:
        alias = aliases[versions.alias_id(function_id)]["Properties"]
        version_id = alias["FunctionVersion"]["Fn::GetAtt"][0]
        version = built["Resources"][version_id]
        assert alias["Name"] == "live" and alias["FunctionName"] == {"Ref": function_id}
        assert version["Properties"]["FunctionName"] == {"Ref": function_id}
        assert version["DeletionPolicy"] == version["UpdateReplacePolicy"] == "Retain"


def test_a_new_package_names_new_versions_and_the_same_package_the_same(
    source: dict[str, Any],
) -> None:
    one = set(of_type(generated(source, ONE), "AWS::Lambda::Version"))
    assert one == set(of_type(generated(source, ONE), "AWS::Lambda::Version"))
    two = set(of_type(generated(source, TWO), "AWS::Lambda::Version"))
    assert len(one) == len(two) == 7 and not one & two


def test_a_changed_function_gets_a_new_version_the_others_keep_theirs(
    source: dict[str, Any],
) -> None:
    changed = copy.deepcopy(source)
    changed["Resources"]["AdvanceFunction"]["Properties"]["MemorySize"] = 2048
    before = set(of_type(generated(source), "AWS::Lambda::Version"))
    after = set(of_type(generated(changed), "AWS::Lambda::Version"))
    assert [v for v in after - before if v.startswith("Advance")] == list(after - before)
    assert len(after - before) == 1


def test_a_version_names_the_parameters_its_function_reads(source: dict[str, Any]) -> None:
    built = generated(source)
    described = {
        k: r["Properties"]["Description"] for k, r in of_type(built, "AWS::Lambda::Version").items()
    }
    api = next(d for k, d in described.items() if k.startswith("ApiVersion"))
    advance = next(d for k, d in described.items() if k.startswith("AdvanceVersion"))
    # A LogLevel change replaces the versions (a new one is published with it).
    assert api == {"Fn::Sub": "drorch package 1111111111111111; LogLevel=${LogLevel}; "
                   "UiOrigin=${UiOrigin}"}  # fmt: skip
    assert advance == {"Fn::Sub": "drorch package 1111111111111111; LogLevel=${LogLevel}"}


def test_every_invoker_calls_the_live_alias_never_latest(source: dict[str, Any]) -> None:
    text = json.dumps(generated(source)["Resources"])
    unqualified = re.findall(r"\$\{(\w+Function)\.Arn\}(?!:live)", text)
    assert unqualified == [], "an invoker of $LATEST: it would escape rollback"
    assert '"Fn::GetAtt": ["ApiFunction", "Arn"]' not in text
    assert not of_type(generated(source), "AWS::Lambda::Permission")


def test_the_api_deployment_is_named_after_its_routes(source: dict[str, Any]) -> None:
    built = generated(source)
    [deployment] = of_type(built, "AWS::ApiGateway::Deployment")
    assert re.fullmatch(r"ApiDeployment[0-9a-f]{12}", deployment)
    assert built["Resources"]["ApiStage"]["Properties"]["DeploymentId"] == {"Ref": deployment}
    assert "ApiDeployment" not in built["Resources"]
    # Unrelated edits keep the deployment; a changed method makes a new one.
    other = copy.deepcopy(source)
    other["Resources"]["ApiLogGroup"]["Properties"]["RetentionInDays"] = 7
    assert set(of_type(generated(other), "AWS::ApiGateway::Deployment")) == {deployment}
    routed = copy.deepcopy(source)
    routed["Resources"]["HealthMethod"]["Properties"]["AuthorizationType"] = "AWS_IAM"
    assert set(of_type(generated(routed), "AWS::ApiGateway::Deployment")) != {deployment}


def test_renaming_follows_every_kind_of_reference() -> None:
    before = {
        "A": {"Ref": "Old"},
        "B": {"Fn::GetAtt": ["Old", "Arn"]},
        "C": {"DependsOn": ["X", "Old"], "D": {"DependsOn": "Old"}},
        "E": {"Fn::Sub": "x-${Old}-${Old.Arn}-${Older}"},
        "F": {"Fn::Sub": ["${Old}", {"v": {"Ref": "Old"}}]},
        "G": {"Ref": "Older"},
    }
    assert versions.renamed(before, "Old", "New") == {
        "A": {"Ref": "New"},
        "B": {"Fn::GetAtt": ["New", "Arn"]},
        "C": {"DependsOn": ["X", "New"], "D": {"DependsOn": "New"}},
        "E": {"Fn::Sub": "x-${New}-${New.Arn}-${Older}"},
        "F": {"Fn::Sub": ["${New}", {"v": {"Ref": "New"}}]},
        "G": {"Ref": "Older"},
    }
