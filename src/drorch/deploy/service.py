"""`drorch deploy --env NAME`: package, upload, change set, rollout, UI, first admin, outputs."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from drorch.deploy import admin, naming, stack, template, ui
from drorch.deploy.aws import Aws, aws_errors
from drorch.deploy.changes import ChangeRow
from drorch.deploy.package import Package
from drorch.errors import DeployError

# Parameters drorch deploy sets itself on every run.
CODE_PARAMETERS = ("CodeBucket", "CodeKey")


class Reporter(Protocol):
    """How the deploy tells the operator what happens (a terminal, or JSON for CI)."""

    def step(self, text: str) -> None:
        """A step started or ended."""

    def changes(self, rows: list[ChangeRow]) -> None:
        """The change set's planned changes."""

    def confirm(self, rows: list[ChangeRow]) -> bool:
        """Whether to run the change set."""

    def event(self, event: dict[str, Any]) -> None:
        """One stack event while the rollout runs."""


@dataclass(frozen=True)
class Target:
    """Where and what to deploy: the environment, its Region's clients and the inputs."""

    env: str
    aws: Aws
    infra_dir: Path
    ui_dir: Path | None


@dataclass(frozen=True)
class Request:
    """One `drorch deploy` run's choices."""

    package: Package
    parameters: Mapping[str, str] = field(default_factory=dict)
    dry_run: bool = False
    admin_password: str | None = None
    # Ids to use where the stack has none (e.g. a CloudFormation that skipped a resource).
    overrides: Mapping[str, str] = field(default_factory=dict)


def ensure_bucket(aws: Aws, name: str) -> bool:
    """Create the deployment bucket (versioned, private, encrypted) unless it exists."""
    s3 = aws.client("s3")
    try:
        with aws_errors(f"look for bucket {name}"):
            s3.head_bucket(Bucket=name)
        return False
    except DeployError as exc:
        if exc.extra.get("code") not in {"404", "NoSuchBucket", "NotFound"}:
            raise
    with aws_errors(f"create deployment bucket {name}"):
        if aws.region == "us-east-1":
            s3.create_bucket(Bucket=name)
        else:
            s3.create_bucket(
                Bucket=name, CreateBucketConfiguration={"LocationConstraint": aws.region}
            )
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        s3.put_public_access_block(
            Bucket=name,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
        s3.put_bucket_encryption(
            Bucket=name,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
        )
    return True


def upload_once(aws: Aws, bucket: str, key: str, body: bytes) -> bool:
    """Put `body` under `key` unless it is there already (keys name their content hash)."""
    s3 = aws.client("s3")
    try:
        with aws_errors(f"look for s3://{bucket}/{key}"):
            s3.head_object(Bucket=bucket, Key=key)
        return False
    except DeployError as exc:
        if exc.extra.get("code") not in {"404", "NoSuchKey", "NotFound"}:
            raise
    with aws_errors(f"upload s3://{bucket}/{key}"):
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    return True


@dataclass(frozen=True)
class PackageHistory:
    """The Lambda packages an environment ran, oldest first (what rollback goes back to)."""

    s3: Any
    bucket: str
    env: str

    @property
    def _key(self) -> str:
        return f"lambda/{self.env}/history.json"

    def keys(self) -> list[str]:
        """The packages' S3 keys, oldest first."""
        try:
            with aws_errors("read the package history"):
                body = self.s3.get_object(Bucket=self.bucket, Key=self._key)["Body"].read()
        except DeployError as exc:
            if exc.extra.get("code") in {"NoSuchKey", "404"}:
                return []
            raise
        return [str(key) for key in json.loads(body)]

    def save(self, keys: list[str]) -> None:
        """Write the history."""
        with aws_errors("write the package history"):
            self.s3.put_object(Bucket=self.bucket, Key=self._key, Body=json.dumps(keys).encode())

    def add(self, key: str) -> None:
        """Record `key` as the running package (unless it already is)."""
        keys = self.keys()
        if not keys or keys[-1] != key:
            self.save([*keys, key])


def template_url(bucket: str, region: str, key: str) -> str:
    """The virtual-hosted S3 URL CloudFormation reads a template from."""
    return f"https://{bucket}.s3.{region}.amazonaws.com/{key}"


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
    bucket = naming.deployment_bucket(target.aws.account_id(), target.aws.region)
    if ensure_bucket(target.aws, bucket):
        reporter.step(f"created deployment bucket {bucket}")
    body = template.render(template.build(target.infra_dir)).encode()
    template_key = f"templates/{target.env}/{hashlib.sha256(body).hexdigest()[:16]}.json"
    upload_once(target.aws, bucket, template_key, body)
    if upload_once(target.aws, bucket, request.package.key, request.package.path.read_bytes()):
        reporter.step(f"uploaded {request.package.key}")
    source = Source(bucket, template_key, body)
    existing = stack.describe(target.aws.client("cloudformation"), name)
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
    PackageHistory(target.aws.client("s3"), bucket, target.env).add(request.package.key)
    _point_api_at_ui(target, request, name, source, reporter)
    status = planned.change_type.lower() + "d"
    return {**result, "status": status, **_finish(target, request, reporter)}


@dataclass(frozen=True)
class Source:
    """The uploaded template: its bucket, key and bytes."""

    bucket: str
    key: str
    body: bytes


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


def outputs_of(described: Mapping[str, Any], overrides: Mapping[str, str]) -> dict[str, str]:
    """A described stack's outputs, the given ids standing in where it reports none."""
    found = {k: v for k, v in stack.outputs(dict(described)).items() if v and v != "None"}
    merged = {**found, **{k: v for k, v in overrides.items() if v}}
    if merged.get("UiOrigin"):
        merged["UiUrl"] = merged["UiOrigin"]
    return merged


def current_outputs(target: Target, overrides: Mapping[str, str]) -> dict[str, str]:
    """The deployed stack's outputs (with the given ids where it reports none)."""
    name = naming.stack_name(target.env)
    described = stack.describe(target.aws.client("cloudformation"), name)
    if described is None:
        raise DeployError(f"environment {target.env} is not deployed (no {name})")
    return outputs_of(described, overrides)


def _finish(target: Target, request: Request, reporter: Reporter) -> dict[str, Any]:
    outputs = current_outputs(target, request.overrides)
    done: dict[str, Any] = {"outputs": outputs}
    if target.ui_dir is not None:
        done["ui"] = publish_ui(target, outputs, reporter)
    done["admin"] = create_admin(target, outputs, request.admin_password, reporter)
    return done


def publish_ui(target: Target, outputs: Mapping[str, str], reporter: Reporter) -> dict[str, Any]:
    """Upload the UI build and its runtime config unless that exact release is live."""
    if target.ui_dir is None:
        raise DeployError("no UI build to publish")
    bucket = _needed(outputs, "UiBucketName")
    config = ui.runtime_config(outputs, env=target.env, region=target.aws.region)
    release = ui.Release(ui.read_build(target.ui_dir), config)
    s3 = target.aws.client("s3")
    history = ui.History(
        s3, naming.deployment_bucket(target.aws.account_id(), target.aws.region), target.env
    )
    digests = history.digests()
    if digests and digests[-1] == release.digest:
        reporter.step("UI: this build is already published")
        return {"status": "unchanged", "release": release.digest[:16]}
    count = ui.upload(s3, bucket, release)
    history.record(release, digests)
    result: dict[str, Any] = {"status": "published", "release": release.digest[:16], "files": count}
    reporter.step(f"UI: published {count} files to {bucket}")
    result["invalidation"] = _invalidate(target, outputs, release.digest, reporter)
    return result


def _invalidate(
    target: Target, outputs: Mapping[str, str], reference: str, reporter: Reporter
) -> str:
    distribution = _needed(outputs, "DistributionId")
    invalidation = ui.invalidate(target.aws.client("cloudfront"), distribution, reference[:32])
    reporter.step(f"UI: CloudFront invalidation {invalidation} on {distribution}")
    return invalidation


def create_admin(
    target: Target, outputs: Mapping[str, str], password: str | None, reporter: Reporter
) -> str:
    """The first admin user (AdminEmail) in the user pool, unless it is there."""
    pool = _needed(outputs, "UserPoolId")
    email = _needed(outputs, "AdminEmail")
    status = admin.ensure_admin(
        target.aws.client("cognito-idp"), pool_id=pool, email=email, password=password
    )
    if status == "created":
        how = "the password given" if password else "a temporary password emailed by Cognito"
        reporter.step(f"admin user {email} created ({how}; change it at first sign-in)")
    return status


def _needed(outputs: Mapping[str, str], key: str) -> str:
    value = outputs.get(key)
    if not value:
        raise DeployError(f"the stack reports no {key} output (pass --output {key}=VALUE)")
    return value
