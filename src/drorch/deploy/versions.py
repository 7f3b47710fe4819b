"""Generated resources named after their content: Lambda versions and aliases, the API deployment.

Every function's code runs through an alias `live` pointing at an AWS::Lambda::Version
whose logical id carries a hash of the package and of the function's definition, so a new
package (or a changed function) publishes a new version and moves the alias to it; old
versions are retained so `drorch deploy rollback` can point the aliases back. The API
deployment is named after a hash of the API's routes so that a changed route deploys again.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from typing import Any

ALIAS = "live"
FUNCTION = "AWS::Lambda::Function"
VERSION = "AWS::Lambda::Version"
# Parameters already in the version's logical id (the package) or never changing.
IN_THE_ID = frozenset({"EnvironmentName", "CodeBucket", "CodeKey"})
# What API Gateway serves from a deployment's snapshot: a change to any needs a new one.
ROUTE_TYPES = frozenset(
    {
        "AWS::ApiGateway::RestApi",
        "AWS::ApiGateway::Resource",
        "AWS::ApiGateway::Method",
        "AWS::ApiGateway::Authorizer",
        "AWS::ApiGateway::GatewayResponse",
        "AWS::ApiGateway::Model",
        "AWS::ApiGateway::RequestValidator",
    }
)
DEPLOYMENT_ID = "ApiDeployment"
SUB_NAME = re.compile(r"\$\{([A-Za-z0-9]+)[}.]")


def _digest(*parts: Any) -> str:
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def base_name(function_id: str) -> str:
    """`ApiFunction` -> `Api`."""
    return function_id.removesuffix("Function")


def version_id(function_id: str, function: dict[str, Any], code_digest: str) -> str:
    """The version's logical id: the function's name and a hash of package and definition."""
    return f"{base_name(function_id)}Version{_digest(code_digest, function)[:12]}"


def alias_id(function_id: str) -> str:
    """The logical id of a function's `live` alias."""
    return f"{base_name(function_id)}LiveAlias"


def referenced_parameters(value: Any, parameters: set[str]) -> set[str]:
    """The template parameters a value refers to (Ref or ${Name} in an Fn::Sub)."""
    found: set[str] = set()
    if isinstance(value, dict):
        if isinstance(value.get("Ref"), str) and value["Ref"] in parameters:
            found.add(value["Ref"])
        sub = value.get("Fn::Sub")
        text = sub[0] if isinstance(sub, list) else sub
        if isinstance(text, str):
            found.update(name for name in SUB_NAME.findall(text) if name in parameters)
        for inner in value.values():
            found |= referenced_parameters(inner, parameters)
    elif isinstance(value, list):
        for inner in value:
            found |= referenced_parameters(inner, parameters)
    return found


def version_description(function: dict[str, Any], parameters: set[str], code_digest: str) -> Any:
    """The version's description: the package and every parameter value the function reads.

    A parameter change (a log level, the UI origin) changes $LATEST's configuration only; a
    changed description makes CloudFormation replace the version, i.e. publish a new one
    with that configuration, and the alias follows.
    """
    names = sorted(referenced_parameters(function["Properties"], parameters) - IN_THE_ID)
    text = f"drorch package {code_digest[:16]}" + "".join(f"; {n}=${{{n}}}" for n in names)
    return {"Fn::Sub": text} if names else text


def functions(template: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The template's Lambda functions: logical id and resource, in template order."""
    for logical, resource in list(template["Resources"].items()):
        if resource.get("Type") == FUNCTION:
            yield logical, resource


def add_versions(template: dict[str, Any], code_digest: str) -> dict[str, str]:
    """Insert a retained version and a `live` alias per function; function id -> version id."""
    resources = template["Resources"]
    parameters = set(template.get("Parameters", {}))
    made = {}
    for function_id, function in functions(template):
        version = version_id(function_id, function, code_digest)
        resources[version] = {
            "Type": VERSION,
            # Old versions stay behind for rollback (a replaced or removed one is kept).
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
            "Properties": {
                "FunctionName": {"Ref": function_id},
                "Description": version_description(function, parameters, code_digest),
            },
        }
        resources[alias_id(function_id)] = {
            "Type": "AWS::Lambda::Alias",
            "Properties": {
                "FunctionName": {"Ref": function_id},
                "FunctionVersion": {"Fn::GetAtt": [version, "Version"]},
                "Name": ALIAS,
                "Description": "What runs: every invoker calls this alias (rollback moves it).",
            },
        }
        made[function_id] = version
    return made


def routes_digest(template: dict[str, Any]) -> str:
    """A hash of what an API deployment serves: the REST API, its resources and methods."""
    routes = {
        logical: resource
        for logical, resource in template["Resources"].items()
        if resource.get("Type") in ROUTE_TYPES
    }
    return _digest(routes)


def name_api_deployment(template: dict[str, Any]) -> str | None:
    """Rename ApiDeployment after its routes' hash (and every reference to it); the new id."""
    resources = template["Resources"]
    if DEPLOYMENT_ID not in resources:
        return None
    new_id = f"{DEPLOYMENT_ID}{routes_digest(template)[:12]}"
    template["Resources"] = {
        (new_id if logical == DEPLOYMENT_ID else logical): renamed(resource, DEPLOYMENT_ID, new_id)
        for logical, resource in resources.items()
    }
    if "Outputs" in template:
        template["Outputs"] = renamed(template["Outputs"], DEPLOYMENT_ID, new_id)
    return new_id


def renamed(value: Any, old: str, new: str) -> Any:
    """`value` with every reference to resource `old` (Ref, GetAtt, DependsOn, Sub) made `new`."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, inner in value.items():
            if key == "Ref" and inner == old:
                out[key] = new
            elif key == "Fn::GetAtt" and isinstance(inner, list) and inner[:1] == [old]:
                out[key] = [new, *inner[1:]]
            elif key == "DependsOn":
                out[key] = _renamed_dependency(inner, old, new)
            elif key == "Fn::Sub":
                out[key] = _renamed_sub(inner, old, new)
            else:
                out[key] = renamed(inner, old, new)
        return out
    if isinstance(value, list):
        return [renamed(inner, old, new) for inner in value]
    return value


def _renamed_dependency(value: Any, old: str, new: str) -> Any:
    if isinstance(value, list):
        return [new if item == old else item for item in value]
    return new if value == old else value


def _renamed_sub(value: Any, old: str, new: str) -> Any:
    def swap(text: str) -> str:
        return re.sub(r"\$\{" + re.escape(old) + r"([}.])", "${" + new + r"\1", text)

    if isinstance(value, str):
        return swap(value)
    text, bindings = value
    return [swap(text), renamed(bindings, old, new)]
