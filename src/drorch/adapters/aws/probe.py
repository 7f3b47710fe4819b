"""Verifying a target account: with its own session, try each call drorch depends on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from drorch.domain.accounts import RegionCheck
from drorch.errors import SessionError
from drorch.ports.sessions import AccountAccess, SessionProvider

PROBE_CONFIG = Config(retries={"total_max_attempts": 2, "mode": "standard"}, connect_timeout=5)
DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}
# EC2 answers a permitted DryRun call with this error and performs nothing.
DRY_RUN_OK = "DryRunOperation"
UNINITIALIZED = "UninitializedAccountException"

Call = Callable[[Any], Any]
DRS_CALLS: list[tuple[str, Call]] = [
    ("drs:DescribeSourceServers", lambda c: c.describe_source_servers(maxResults=1)),
    ("drs:DescribeJobs", lambda c: c.describe_jobs(maxResults=1)),
    ("drs:DescribeRecoveryInstances", lambda c: c.describe_recovery_instances(maxResults=1)),
]
EC2_CALLS: list[tuple[str, Call]] = [
    ("ec2:DescribeSubnets", lambda c: c.describe_subnets(DryRun=True)),
    ("ec2:DescribeSecurityGroups", lambda c: c.describe_security_groups(DryRun=True)),
    ("ec2:DescribeNetworkInterfaces", lambda c: c.describe_network_interfaces(DryRun=True)),
    (
        "ec2:DescribeLaunchTemplateVersions",
        lambda c: c.describe_launch_template_versions(DryRun=True, Versions=["$Default"]),
    ),
]


class AwsAccountProbe:
    """Implements `drorch.ports.accounts.AccountProbe` through the session provider."""

    def __init__(
        self,
        sessions: SessionProvider,
        *,
        drs_endpoint_url: str | None = None,
        check_ec2: bool = True,
    ) -> None:
        self._sessions = sessions
        self._drs_endpoint_url = drs_endpoint_url
        self._check_ec2 = check_ec2

    def check(self, access: AccountAccess, region: str, *, purpose: str) -> RegionCheck:
        """Assume the role, then try the DRS calls and (dry-run) EC2 reads in the Region."""
        try:
            session = self._sessions.session(access, purpose=purpose)
        except SessionError as exc:
            return RegionCheck(
                region=region,
                ok=False,
                failed_step=exc.step,
                missing_permissions=["sts:AssumeRole"] if exc.step == "sts:AssumeRole" else [],
                detail=exc.detail,
            )
        drs = session.client(
            "drs", region_name=region, endpoint_url=self._drs_endpoint_url, config=PROBE_CONFIG
        )
        missing, failures = _try(drs, DRS_CALLS)
        if self._check_ec2:
            ec2 = session.client("ec2", region_name=region, config=PROBE_CONFIG)
            more, other = _try(ec2, EC2_CALLS)
            missing, failures = missing + more, failures + other
        steps = missing or [step for step, _ in failures]
        first = steps[0] if steps else None
        details = [f"{step}: {why}" for step, why in failures]
        if missing:
            details.insert(0, "missing " + ", ".join(missing))
        return RegionCheck(
            region=region,
            ok=not missing and not failures,
            failed_step=first,
            missing_permissions=missing,
            detail="; ".join(details),
        )


def _try(client: Any, calls: list[tuple[str, Call]]) -> tuple[list[str], list[tuple[str, str]]]:
    """The permissions refused, and the other failures by step."""
    missing: list[str] = []
    failures: list[tuple[str, str]] = []
    for permission, call in calls:
        try:
            call(client)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code == DRY_RUN_OK:
                continue
            if code in DENIED:
                missing.append(permission)
            elif code == UNINITIALIZED:
                failures.append((permission, "DRS is not initialized in this Region"))
            else:
                failures.append((permission, f"{code}: {exc}"))
        except BotoCoreError as exc:
            failures.append((permission, str(exc)))
    return missing, failures
