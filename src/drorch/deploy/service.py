"""`drorch deploy --env NAME`: package, upload, change set, rollout, UI, first admin, outputs."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from drorch.deploy import aliases, naming, stack, template
from drorch.deploy.aws import Aws, aws_errors
from drorch.deploy.bucket import ensure_bucket, template_url, upload_once
from drorch.deploy.context import Reporter, Request, Target
from drorch.deploy.poststack import create_admin, current_outputs, outputs_of, publish_ui
from drorch.errors import DeployError


def stack_parameters(
    declared: Mapping[str, Any],
    given: Mapping[str, str],
    previous: Mapping[str, str] | None,
) -> list[dict[str, Any]]:
    """Every parameter's value: given, else the stack's previous one, else the default.

    Values are spelled out rather than sent as UsePreviousValue (NoEcho ones excepted, which
    CloudFormation only shows masked): the same run sends the same parameters, so a stack
    that did not change is seen as unchanged, by CloudFormation and by emulators alike.
    """
    unknown = sorted(set(given) - set(declared))
    if unknown:
        raise DeployError(f"the template has no parameter {', '.join(unknown)}")
    result: list[dict[str, Any]] = []
    for key, slot in declared.items():
        if key in given:
            result.append({"ParameterKey": key, "ParameterValue": given[key]})
        elif previous is not None and key in previous:
            if slot.get("NoEcho"):
                result.append({"ParameterKey": key, "UsePreviousValue": True})
            else:
                result.append({"ParameterKey": key, "ParameterValue": previous[key]})
        elif "Default" in slot:
            result.append({"ParameterKey": key, "ParameterValue": str(slot["Default"])})
        else:
            raise DeployError(f"a new environment needs {key} (e.g. --admin-email)")
    return result


def deploy(target: Target, request: Request, reporter: Reporter) -> dict[str, Any]:
    """Create or update the environment's stack, then publish the UI and the first admin."""
    name = naming.stack_name(target.env)
    existing = stack.describe(target.aws.client("cloudformation"), name)
    _check_ready(name, existing)
    source = _upload(target, request, reporter)
    origin = _known_origin(target, request, existing)
    planned = _plan(target, request, source, origin, existing)
    moved = parameter_changes(existing, _given(target, request, source, origin))
    for change in moved:
        reporter.step(f"parameter {change['key']}: {change['from']!r} -> {change['to']!r}")
    result: dict[str, Any] = {
        "stack": name,
        "parameters": moved,
        "changes": [row.as_dict() for row in planned.rows],
    }
    if planned.empty:
        stack.discard(target.aws.client("cloudformation"), planned)
        reporter.step(f"{name}: no changes to the stack")
        return {**result, "status": "unchanged", **_finish(target, request, reporter)}
    reporter.changes(planned.rows)
    if request.dry_run or not reporter.confirm(planned.rows):
        stack.discard(target.aws.client("cloudformation"), planned)
        return {**result, "status": "dry-run" if request.dry_run else "declined"}
    _roll_out(target, planned, reporter)
    _point_api_at_ui(target, request, name, source, reporter)
    status = planned.change_type.lower() + "d"
    return {**result, "status": status, **_finish(target, request, reporter)}


@dataclass(frozen=True)
class Source:
    """The uploaded template: its bucket, key and bytes."""

    bucket: str
    key: str
    body: bytes


# A stack in one of these can take no change set: CloudFormation is busy, or a failed
# create left a stack that can only be deleted.
BUSY_SUFFIX = "_IN_PROGRESS"
DEAD = frozenset({"ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "DELETE_FAILED"})


def _check_ready(name: str, existing: Mapping[str, Any] | None) -> None:
    status = str((existing or {}).get("StackStatus", ""))
    if status.endswith(BUSY_SUFFIX):
        raise DeployError(f"{name} is {status}: wait until CloudFormation is done with it")
    if status in DEAD:
        raise DeployError(
            f"{name} is {status} (its first create failed): remove it with "
            f"`drorch deploy destroy --env {name.removeprefix('drorch-')}`, then deploy again"
        )


def _upload(target: Target, request: Request, reporter: Reporter) -> Source:
    """The deployment bucket (made if missing) with this run's template and package in it."""
    bucket = naming.deployment_bucket(target.aws.account_id(), target.aws.region)
    if ensure_bucket(target.aws, bucket):
        reporter.step(f"created deployment bucket {bucket}")
    built = template.build(target.infra_dir, code_digest=request.package.digest)
    body = template.render(built).encode()
    template_key = f"templates/{target.env}/{hashlib.sha256(body).hexdigest()[:16]}.json"
    upload_once(target.aws, bucket, template_key, body)
    if upload_once(target.aws, bucket, request.package.key, request.package.path.read_bytes()):
        reporter.step(f"uploaded {request.package.key}")
    return Source(bucket, template_key, body)


def ui_origin(aws: Aws, distribution_id: str | None) -> str | None:
    """The UI's https origin: the CloudFront distribution's own domain."""
    if not distribution_id:
        return None
    with aws_errors(f"read CloudFront distribution {distribution_id}"):
        found = aws.client("cloudfront").get_distribution(Id=distribution_id)
    return f"https://{found['Distribution']['DomainName']}"


def _known_origin(target: Target, request: Request, existing: dict[str, Any] | None) -> str | None:
    if existing is None:
        return None  # a new stack: the distribution does not exist yet
    outputs = outputs_of(existing, request.overrides)
    return ui_origin(target.aws, outputs.get("DistributionId"))


def _point_api_at_ui(
    target: Target, request: Request, name: str, source: Source, reporter: Reporter
) -> None:
    # A new stack's distribution gets its domain only once created: one more (small)
    # update hands it to the API as its allowed CORS origin.
    described = stack.describe(target.aws.client("cloudformation"), name)
    outputs = outputs_of(described or {}, request.overrides)
    origin = ui_origin(target.aws, outputs.get("DistributionId"))
    if origin is None or outputs.get("UiOrigin") == origin:
        return
    reporter.step(f"{name}: allowing the UI's origin {origin} on the API")
    planned = _plan(target, request, source, origin, described)
    if planned.empty:
        stack.discard(target.aws.client("cloudformation"), planned)
        return
    _roll_out(target, planned, reporter)


def _plan(
    target: Target,
    request: Request,
    source: Source,
    origin: str | None,
    existing: dict[str, Any] | None,
) -> stack.Planned:
    cfn = target.aws.client("cloudformation")
    name = naming.stack_name(target.env)
    previous = None
    if existing is not None:
        previous = {p["ParameterKey"]: p["ParameterValue"] for p in existing.get("Parameters", [])}
    declared = template.load_yaml(source.body.decode())["Parameters"]
    given = _given(target, request, source, origin)
    if previous is not None and _same_stack(cfn, name, source.body, given, previous):
        return stack.Planned(name, "", "UPDATE", empty=True)
    parameters = stack_parameters(declared, given, previous)
    url = template_url(source.bucket, target.aws.region, source.key)
    return stack.plan(
        cfn,
        name=name,
        existing=existing,
        template={"TemplateURL": url},
        parameters=parameters,
        tags={"drorch:environment": target.env},
    )


def _given(target: Target, request: Request, source: Source, origin: str | None) -> dict[str, str]:
    return {
        **request.parameters,
        "EnvironmentName": target.env,
        "CodeBucket": source.bucket,
        "CodeKey": request.package.key,
        **({"UiOrigin": origin} if origin else {}),
    }


def parameter_changes(
    existing: Mapping[str, Any] | None, given: Mapping[str, str]
) -> list[dict[str, str]]:
    """The parameters this run changes on an existing stack: key, old and new value."""
    if existing is None:
        return []
    previous = {p["ParameterKey"]: p["ParameterValue"] for p in existing.get("Parameters", [])}
    return [
        {"key": key, "from": previous[key], "to": value}
        for key, value in given.items()
        if key in previous and previous[key] != value
    ]


def _same_stack(
    cfn: Any, name: str, body: bytes, given: Mapping[str, str], previous: Mapping[str, str]
) -> bool:
    # Nothing to ask CloudFormation about: same template, every given value as before.
    if any(previous.get(key) != value for key, value in given.items()):
        return False
    with aws_errors(f"read the template of {name}"):
        current = cfn.get_template(StackName=name, TemplateStage="Original")["TemplateBody"]
    if isinstance(current, str):
        try:
            current = json.loads(current)
        except json.JSONDecodeError:
            return False  # not ours (YAML): let the change set decide
    return bool(current == json.loads(body))


def _roll_out(target: Target, planned: stack.Planned, reporter: Reporter) -> None:
    cfn = target.aws.client("cloudformation")
    reporter.step(f"{planned.stack}: running the change set")
    outcome = stack.execute(cfn, planned, on_event=reporter.event)
    if outcome.ok:
        reporter.step(f"{planned.stack}: {outcome.status}")
        return
    raise DeployError(outcome.summary(planned.stack))


def _finish(target: Target, request: Request, reporter: Reporter) -> dict[str, Any]:
    outputs = current_outputs(target, request.overrides)
    # The stack's versions are live again after any deploy, even one that changed nothing.
    done: dict[str, Any] = {"outputs": outputs, "aliases": aliases.settle(target, reporter)}
    if target.ui_dir is not None:
        done["ui"] = publish_ui(target, outputs, reporter)
    done["admin"] = create_admin(target, outputs, request.admin_password, reporter)
    return done
