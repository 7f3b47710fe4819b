"""The sandbox's EC2: moto's EC2 backend, in this process, for the fleet's accounts.

moto keeps VPCs, subnets, security groups, launch templates, network interfaces and
instances; the sandbox adds what moto cannot know: which account an access key stands for
(the same mapping DRS calls use, STS-issued keys included) and DRS launches that really run
an instance from the server's launch template. Requests reach moto's WSGI app directly, not
over a socket, so nothing else listens and no botocore patching is involved.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError

from drorch.sandbox.fleet import Ec2Spec, ServerSpec

ACCOUNT_HEADER = "x-moto-account-id"
TEMPLATE_PREFIX = "drs-"
SANDBOX_TAG = "drorch:sandbox"
INTERNAL_URL = "http://ec2.sandbox.internal"
NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"})


class _Body:
    """The raw body botocore reads from a response."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Iterable[bytes]:
        yield self.data


@dataclass(frozen=True)
class Answer:
    """An HTTP answer from moto: status, headers, body."""

    status: int
    headers: dict[str, str]
    body: bytes


class MotoEc2:
    """moto's EC2 app behind one lock (moto's models are not meant for concurrent writers)."""

    def __init__(self) -> None:
        # The sandbox launches from its own image id and never lists AMIs; loading moto's
        # thousand default images (and their snapshots) per account and Region costs seconds.
        os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"
        # Imported on first use: moto takes seconds to load and most sandboxes never need it.
        try:
            from moto.moto_server.werkzeug_app import create_backend_app
        except ImportError as exc:  # a production install without the sandbox extra
            raise RuntimeError(
                "the sandbox's EC2 (a fleet with an `ec2:` block) needs moto: "
                "install drorch with its `sandbox` extra, or drop `ec2:` from the fleet"
            ) from exc

        self._client = create_backend_app("ec2").test_client()
        self.lock = threading.RLock()

    def request(
        self, account: str, method: str, url: str, headers: dict[str, str], body: bytes
    ) -> Answer:
        """Run one EC2 request as `account` (query protocol, SigV4-signed or not)."""
        parts = urlsplit(url)
        sent = {k: v for k, v in headers.items() if k.lower() not in ("host", "content-length")}
        sent[ACCOUNT_HEADER] = account
        with self.lock:
            response = self._client.open(
                "/", method=method, headers=sent, data=body, query_string=parts.query
            )
        return Answer(response.status_code, dict(response.headers), response.data)

    def reset(self, accounts: Iterable[str]) -> None:
        """Forget everything moto holds for these accounts (a fresh sandbox starts clean)."""
        from moto.ec2.models import ec2_backends

        with self.lock:
            for account in accounts:
                if account in ec2_backends:
                    ec2_backends[account].reset()

    def client(self, account: str, region: str) -> Any:
        """A boto3 `ec2` client whose calls go straight into moto as `account`."""
        session = boto3.session.Session(
            aws_access_key_id=f"SBXEC2{account}", aws_secret_access_key="x", region_name=region
        )
        client = session.client("ec2", endpoint_url=INTERNAL_URL, config=NO_RETRY)

        def send(request: Any, **_: Any) -> AWSResponse:
            headers = {k: _text(v) for k, v in request.headers.items()}
            body = request.body or b""
            answer = self.request(account, request.method, request.url, headers, _bytes(body))
            return AWSResponse(request.url, answer.status, answer.headers, _Body(answer.body))

        client.meta.events.register("before-send.ec2", send)
        return client


_SHARED: MotoEc2 | None = None
_SHARED_LOCK = threading.Lock()


def shared_moto() -> MotoEc2:
    """The process's one moto EC2 (moto's state is process-wide anyway)."""
    global _SHARED
    with _SHARED_LOCK:
        if _SHARED is None:
            _SHARED = MotoEc2()
        return _SHARED


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _bytes(value: Any) -> bytes:
    return value.encode() if isinstance(value, str) else bytes(value)


class ScopeEc2:
    """EC2 of one fleet account and Region: seeded network, per-server launch templates."""

    def __init__(self, moto: MotoEc2, spec: Ec2Spec, account: str, region: str) -> None:
        self.moto = moto
        self.spec = spec
        self.account = account
        self.region = region
        self._ec2: Any = None
        self._subnets: list[str] = []
        self._templates: dict[str, str] = {}

    def seed(self) -> None:
        """Build moto's backend for this account and Region and seed its network, once."""
        _ = self.ec2

    @property
    def ec2(self) -> Any:
        """The in-process client, with the network seeded on first use."""
        with self.moto.lock:
            if self._ec2 is None:
                client = self.moto.client(self.account, self.region)
                self._seed(client)
                self._ec2 = client
            return self._ec2

    def _seed(self, ec2: Any) -> None:
        tags = [{"Key": SANDBOX_TAG, "Value": "true"}]
        vpc = ec2.create_vpc(
            CidrBlock=self.spec.vpc_cidr,
            TagSpecifications=[{"ResourceType": "vpc", "Tags": [*tags, _name("drorch-sandbox")]}],
        )["Vpc"]["VpcId"]
        for subnet in self.spec.subnets:
            made = ec2.create_subnet(
                VpcId=vpc,
                CidrBlock=subnet.cidr,
                TagSpecifications=[{"ResourceType": "subnet", "Tags": [*tags, _name(subnet.name)]}],
            )
            self._subnets.append(made["Subnet"]["SubnetId"])
        for group in self.spec.security_groups:
            ec2.create_security_group(
                GroupName=group,
                Description=f"sandbox {group}",
                VpcId=vpc,
                TagSpecifications=[{"ResourceType": "security-group", "Tags": tags}],
            )

    def template_for(self, server: ServerSpec) -> str:
        """The server's launch template id (made the first time DRS is asked about it)."""
        found = self._templates.get(server.id)
        if found is not None:
            return found
        ec2 = self.ec2
        data: dict[str, Any] = {"InstanceType": server.instance_type}
        if self._subnets:
            data["NetworkInterfaces"] = [{"DeviceIndex": 0, "SubnetId": self._subnets[0]}]
        made = ec2.create_launch_template(
            LaunchTemplateName=f"{TEMPLATE_PREFIX}{server.id}", LaunchTemplateData=data
        )
        template_id = str(made["LaunchTemplate"]["LaunchTemplateId"])
        self._templates[server.id] = template_id
        return template_id

    def launch(self, server: ServerSpec, tags: dict[str, str]) -> str:
        """Run the server's recovery instance from its template's default version."""
        template_id = self.template_for(server)
        version = self.ec2.describe_launch_template_versions(
            LaunchTemplateId=template_id, Versions=["$Default"]
        )["LaunchTemplateVersions"][0]
        params = run_parameters(version["LaunchTemplateData"])
        instance_tags = [{"Key": k, "Value": v} for k, v in tags.items()]
        instance_tags.append({"Key": "drorch:source-server-id", "Value": server.id})
        reservation = self.ec2.run_instances(
            ImageId="ami-12c6146b",
            MinCount=1,
            MaxCount=1,
            LaunchTemplate={
                "LaunchTemplateId": template_id,
                "Version": str(version["VersionNumber"]),
            },
            TagSpecifications=[{"ResourceType": "instance", "Tags": instance_tags}],
            **params,
        )
        return str(reservation["Instances"][0]["InstanceId"])

    def stop(self, instance_id: str) -> None:
        """Stop an instance (launch disposition STOPPED)."""
        with _gone_is_fine():
            self.ec2.stop_instances(InstanceIds=[instance_id])

    def terminate(self, instance_id: str) -> None:
        """Terminate an instance (drill cleanup, or a newer launch replacing it)."""
        with _gone_is_fine():
            self.ec2.terminate_instances(InstanceIds=[instance_id])
            self._release_addresses(instance_id)

    def _release_addresses(self, instance_id: str) -> None:
        # moto frees a terminated instance's private addresses only when Python collects the
        # object; EC2 frees them at termination, so a relaunch may take the same static IP.
        from moto.ec2.models import ec2_backends

        with self.moto.lock:
            backend = ec2_backends[self.account][self.region]
            found = backend.get_instance(instance_id)
            for nic in list(found.nics.values()):
                subnet = getattr(nic, "subnet", None)
                address = getattr(nic, "private_ip_address", None)
                if subnet is not None and address:
                    subnet.del_subnet_ip(address)
                backend.enis.pop(nic.id, None)  # deleted on termination, as EC2 does
            found._private_ips.clear()


@contextmanager
def _gone_is_fine() -> Iterator[None]:
    """An instance moto no longer has (its state is not in the state file) is already gone."""
    try:
        yield
    except ClientError as exc:
        if not str(exc.response.get("Error", {}).get("Code", "")).endswith(".NotFound"):
            raise


def run_parameters(data: dict[str, Any]) -> dict[str, Any]:
    """RunInstances members for a template's data (moto reads few of them from the template)."""
    params: dict[str, Any] = {}
    if data.get("InstanceType"):
        params["InstanceType"] = data["InstanceType"]
    nics = data.get("NetworkInterfaces") or []
    if nics:
        nic = nics[0]
        if nic.get("SubnetId"):
            params["SubnetId"] = nic["SubnetId"]
        if nic.get("PrivateIpAddress"):
            params["PrivateIpAddress"] = nic["PrivateIpAddress"]
        if nic.get("Groups"):
            params["SecurityGroupIds"] = list(nic["Groups"])
    elif data.get("SecurityGroupIds"):
        params["SecurityGroupIds"] = list(data["SecurityGroupIds"])
    return params


def _name(value: str) -> dict[str, str]:
    return {"Key": "Name", "Value": value}
