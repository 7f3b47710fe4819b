"""The verify probe: which calls it makes (EC2 only as dry runs) and how it names refusals."""

from __future__ import annotations

from typing import Any

import boto3
from botocore.stub import ANY, Stubber

from drorch.adapters.aws.probe import AwsAccountProbe
from drorch.errors import SessionError
from drorch.ports.sessions import AccountAccess

ACCESS = AccountAccess("123456789012", "arn:aws:iam::123456789012:role/drorch-target", "ext")


class StubbedSession:
    """A session handing out the stubbed clients (what the provider would assume)."""

    def __init__(self, clients: dict[str, Any]) -> None:
        self.clients = clients

    def client(self, name: str, **_: Any) -> Any:
        return self.clients[name]


class Sessions:
    """A SessionProvider answering one session, or refusing like a failed AssumeRole."""

    def __init__(self, session: Any = None) -> None:
        self._session = session

    def session(self, access: AccountAccess | None, *, purpose: str) -> Any:
        if self._session is None:
            raise SessionError("refused", account_id=ACCESS.account_id, step="sts:AssumeRole")
        return self._session


def clients() -> tuple[dict[str, Any], Stubber, Stubber]:
    made = boto3.session.Session(
        aws_access_key_id="AKIATESTKEY000000001", aws_secret_access_key="s", region_name="us-east-1"
    )
    drs, ec2 = made.client("drs"), made.client("ec2")
    return {"drs": drs, "ec2": ec2}, Stubber(drs), Stubber(ec2)


def dry_run(stub: Stubber, operation: str, code: str, **params: Any) -> None:
    stub.add_client_error(
        operation, code, "dry run", 412, expected_params={"DryRun": True, **params}
    )


def test_all_permitted_is_ok_and_ec2_calls_are_dry_runs() -> None:
    made, drs, ec2 = clients()
    drs.add_response("describe_source_servers", {"items": []}, {"maxResults": 1})
    drs.add_response("describe_jobs", {"items": []}, {"maxResults": 1})
    drs.add_response("describe_recovery_instances", {"items": []}, {"maxResults": 1})
    for operation in (
        "describe_subnets",
        "describe_security_groups",
        "describe_network_interfaces",
    ):
        dry_run(ec2, operation, "DryRunOperation")
    dry_run(ec2, "describe_launch_template_versions", "DryRunOperation", Versions=ANY)
    with drs, ec2:
        check = AwsAccountProbe(Sessions(StubbedSession(made))).check(
            ACCESS, "us-east-1", purpose="t"
        )
    assert check.ok and check.missing_permissions == [] and check.failed_step is None
    drs.assert_no_pending_responses()
    ec2.assert_no_pending_responses()


def test_refusals_are_named_by_permission_and_uninitialised_drs_by_step() -> None:
    made, drs, ec2 = clients()
    drs.add_client_error("describe_source_servers", "UninitializedAccountException", "no", 400)
    drs.add_client_error("describe_jobs", "AccessDeniedException", "no", 403)
    drs.add_response("describe_recovery_instances", {"items": []})
    dry_run(ec2, "describe_subnets", "UnauthorizedOperation")
    dry_run(ec2, "describe_security_groups", "DryRunOperation")
    dry_run(ec2, "describe_network_interfaces", "DryRunOperation")
    dry_run(ec2, "describe_launch_template_versions", "UnauthorizedOperation", Versions=ANY)
    with drs, ec2:
        check = AwsAccountProbe(Sessions(StubbedSession(made))).check(
            ACCESS, "eu-west-1", purpose="t"
        )
    assert not check.ok and check.region == "eu-west-1"
    assert check.missing_permissions == [
        "drs:DescribeJobs",
        "ec2:DescribeSubnets",
        "ec2:DescribeLaunchTemplateVersions",
    ]
    assert check.failed_step == "drs:DescribeJobs"
    assert "DRS is not initialized in this Region" in check.detail


def test_a_role_that_cannot_be_assumed_is_the_failed_step() -> None:
    check = AwsAccountProbe(Sessions()).check(ACCESS, "us-east-1", purpose="t")
    assert not check.ok
    assert (check.failed_step, check.missing_permissions) == ("sts:AssumeRole", ["sts:AssumeRole"])
