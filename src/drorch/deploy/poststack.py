"""The steps after the stack: its outputs, the UI publish, the first admin."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from drorch.deploy import admin, naming, stack, ui
from drorch.deploy.context import Reporter, Target
from drorch.errors import DeployError


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
