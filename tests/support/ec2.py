"""EC2 of a sandbox whose fleet has one (moto inside the sandbox): fleets, clients, lookups."""

from __future__ import annotations

from typing import Any

import boto3

from drorch.adapters.aws.ec2 import BotoEc2Gateway
from drorch.adapters.aws.sessions_for import sandbox_key_sessions
from tests.support.sandbox import ACCOUNT, KEY, NO_RETRY, REGION, RunningSandbox, sid


def ec2_fleet(count: int = 4) -> dict[str, Any]:
    """`count` Linux servers in one account and Region, with the sandbox's default network."""
    return {
        "seed": 3,
        "ec2": {},
        "accounts": [{"id": ACCOUNT, "access_keys": [KEY], "regions": [REGION]}],
        "servers": [
            {"id": sid(i), "account": ACCOUNT, "region": REGION, "hostname": f"ec2-{i}"}
            for i in range(1, count + 1)
        ],
    }


def ec2_client(sb: RunningSandbox, account: str | None = None, region: str | None = None) -> Any:
    """A boto3 `ec2` client for a fleet account, over HTTP to the sandbox."""
    session = boto3.session.Session(
        aws_access_key_id=sb.access_key(account),
        aws_secret_access_key="x",
        region_name=region or sb.region(account),
    )
    return session.client("ec2", endpoint_url=sb.url, config=NO_RETRY)


def ec2_gateway(sb: RunningSandbox) -> BotoEc2Gateway:
    """drorch's EC2 adapter on the sandbox, signing with the fleet's keys."""
    keys = {a.id: a.keys[0] for a in sb.sandbox.fleet.accounts}
    return BotoEc2Gateway(sandbox_key_sessions(keys.__getitem__), endpoint_url=sb.url)


def subnet_id(ec2: Any, name: str) -> str:
    """The id of the subnet with a Name tag."""
    found = ec2.describe_subnets(Filters=[{"Name": "tag:Name", "Values": [name]}])["Subnets"]
    return str(found[0]["SubnetId"])


def group_id(ec2: Any, name: str) -> str:
    """The id of a security group by name (in the sandbox's VPC)."""
    found = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": [name]}])
    return str(found["SecurityGroups"][0]["GroupId"])


def instance(ec2: Any, instance_id: str) -> dict[str, Any]:
    """DescribeInstances of one instance."""
    reservations = ec2.describe_instances(InstanceIds=[instance_id])["Reservations"]
    return dict(reservations[0]["Instances"][0])
