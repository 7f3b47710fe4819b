"""The functions' `live` aliases: which version the stack says, which one runs, rollback.

After every deploy the versions the stack published are recorded, per environment, in the
deployment bucket (`lambda/<env>/aliases.json`, oldest first) and any alias not on its
stack's version is put back there: the stack's definition wins. `drorch deploy rollback`
points every alias at the versions recorded before (UpdateAlias: seconds, no stack update).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from drorch.deploy import naming
from drorch.deploy.aws import aws_errors
from drorch.deploy.context import Reporter, Target
from drorch.deploy.versions import ALIAS, FUNCTION, VERSION
from drorch.errors import DeployError

VERSION_ID = re.compile(r"^(?P<base>[A-Za-z0-9]+?)Version[0-9a-f]{12}$")
MISSING_CODES = {"NoSuchKey", "404"}

Versions = dict[str, str]  # function name -> version number


@dataclass(frozen=True)
class AliasHistory:
    """The versions an environment's aliases pointed at after each deploy, oldest first."""

    s3: Any
    bucket: str
    env: str

    @property
    def _key(self) -> str:
        return f"lambda/{self.env}/aliases.json"

    def entries(self) -> list[Versions]:
        """Every recorded set of versions, oldest first."""
        try:
            with aws_errors("read the alias history"):
                body = self.s3.get_object(Bucket=self.bucket, Key=self._key)["Body"].read()
        except DeployError as exc:
            if exc.extra.get("code") in MISSING_CODES:
                return []
            raise
        return [{str(k): str(v) for k, v in entry.items()} for entry in json.loads(body)]

    def save(self, entries: list[Versions]) -> None:
        """Write the history."""
        with aws_errors("write the alias history"):
            self.s3.put_object(Bucket=self.bucket, Key=self._key, Body=json.dumps(entries).encode())

    def add(self, versions: Versions) -> None:
        """Record `versions` as live (unless they already are the newest entry)."""
        entries = self.entries()
        if not entries or entries[-1] != versions:
            self.save([*entries, versions])


def history(target: Target) -> AliasHistory:
    """The environment's alias history in its deployment bucket."""
    bucket = naming.deployment_bucket(target.aws.account_id(), target.aws.region)
    return AliasHistory(target.aws.client("s3"), bucket, target.env)


def stack_versions(target: Target) -> Versions:
    """Function name -> the version the stack's AWS::Lambda::Version resource published."""
    cfn = target.aws.client("cloudformation")
    name = naming.stack_name(target.env)
    functions: dict[str, str] = {}
    published: dict[str, str] = {}
    with aws_errors(f"list the resources of {name}"):
        for page in cfn.get_paginator("list_stack_resources").paginate(StackName=name):
            for item in page["StackResourceSummaries"]:
                logical, physical = item["LogicalResourceId"], item.get("PhysicalResourceId", "")
                if item["ResourceType"] == FUNCTION:
                    functions[logical] = physical
                elif item["ResourceType"] == VERSION and (found := VERSION_ID.match(logical)):
                    published[f"{found['base']}Function"] = physical
    return {
        functions[function_id]: _version_number(target, functions[function_id], physical)
        for function_id, physical in published.items()
        if functions.get(function_id)
    }


def _version_number(target: Target, function: str, physical: str) -> str:
    # CloudFormation names a version by its ARN (…:function:NAME:7). A CloudFormation that
    # reports no physical id for it (moto's) leaves the newest published version.
    if physical.count(":") == 7:
        return physical.rsplit(":", 1)[1]
    lam = target.aws.client("lambda")
    numbers: list[int] = []
    with aws_errors(f"list the versions of {function}"):
        for page in lam.get_paginator("list_versions_by_function").paginate(FunctionName=function):
            numbers += [int(v["Version"]) for v in page["Versions"] if v["Version"].isdigit()]
    if not numbers:
        raise DeployError(f"{function} has no published version")
    return str(max(numbers))


def live_versions(target: Target, names: list[str]) -> dict[str, str | None]:
    """Function name -> the version its `live` alias points at (None: no such alias)."""
    lam = target.aws.client("lambda")
    found: dict[str, str | None] = {}
    for name in names:
        try:
            with aws_errors(f"read alias {ALIAS} of {name}"):
                found[name] = str(lam.get_alias(FunctionName=name, Name=ALIAS)["FunctionVersion"])
        except DeployError as exc:
            if exc.extra.get("code") != "ResourceNotFoundException":
                raise
            found[name] = None
    return found


def point(target: Target, name: str, version: str) -> None:
    """Move `name`'s live alias to `version`."""
    with aws_errors(f"point alias {ALIAS} of {name} at version {version}"):
        target.aws.client("lambda").update_alias(
            FunctionName=name, Name=ALIAS, FunctionVersion=version
        )


def settle(target: Target, reporter: Reporter) -> dict[str, Any]:
    """After a deploy: record the stack's versions, put any alias off them back on them."""
    versions = stack_versions(target)
    if not versions:
        return {}
    history(target).add(versions)
    moved: dict[str, dict[str, str]] = {}
    for name, live in live_versions(target, sorted(versions)).items():
        if live is None:
            reporter.step(f"{name}: no alias {ALIAS} (the stack created none)")
        elif live != versions[name]:
            point(target, name, versions[name])
            moved[name] = {"from": live, "to": versions[name]}
            reporter.step(f"{name}: {ALIAS} back on the stack's version {versions[name]}")
    return {"versions": versions, "realigned": moved}


def roll_back(target: Target, reporter: Reporter) -> dict[str, dict[str, str | None]]:
    """Point every alias at the versions recorded before the current ones."""
    kept = history(target)
    entries = kept.entries()
    if len(entries) < 2:
        raise DeployError(f"environment {target.env} has no previous Lambda versions to go back to")
    previous = entries[-2]
    live = live_versions(target, sorted(previous))
    missing = sorted(name for name, version in live.items() if version is None)
    if missing:  # refused before any alias moves: all functions go back together
        raise DeployError(f"no alias {ALIAS} on {', '.join(missing)}: nothing rolled back")
    moved: dict[str, dict[str, str | None]] = {}
    for name in sorted(previous):
        if live[name] != previous[name]:
            point(target, name, previous[name])
        moved[name] = {"from": live[name], "to": previous[name]}
    kept.save(entries[:-1])
    reporter.step(f"{ALIAS} aliases: back on versions {_listed(previous)}")
    return moved


def status(target: Target) -> dict[str, dict[str, str | None]]:
    """Per function: the stack's version, the live one, and whether they agree."""
    versions = stack_versions(target)
    live = live_versions(target, sorted(versions))
    return {
        name: {"stack": stack, "live": live[name], "state": _state(stack, live[name])}
        for name, stack in sorted(versions.items())
    }


def _state(stack: str, live: str | None) -> str:
    if live is None:
        return "missing"
    return "in line" if live == stack else "drifted"


def _listed(versions: Versions) -> str:
    return ", ".join(f"{name}:{version}" for name, version in sorted(versions.items()))
