"""The EC2 adapter: launch-template writes and network reads over injected boto3 clients."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from drorch.adapters.aws.drs_errors import retry_after
from drorch.errors import (
    DrsAccessDeniedError,
    DrsError,
    DrsThrottlingError,
    DrsUnavailableError,
    DrsValidationError,
)
from drorch.ports.drs import Scope
from drorch.ports.ec2 import AddressHolder, Subnet, TemplateVersion

# One attempt per call, like DRS: the engine backs off and retries itself.
EC2_CONFIG = Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=5)
THROTTLED = {"RequestLimitExceeded", "Throttling", "ThrottlingException"}
DENIED = {"UnauthorizedOperation", "AuthFailure", "AccessDenied", "OptInRequired"}
MAX_CLIENTS = 256  # per-execution session names make clients; keep the cache bounded


def translate(error: ClientError) -> DrsError:
    """drorch's error for an EC2 ClientError; refusals of the request itself are permanent."""
    info = error.response.get("Error", {})
    code = str(info.get("Code", ""))
    message = str(info.get("Message", "")) or str(error)
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    operation = getattr(error, "operation_name", "") or "EC2"
    detail = f"{operation}: {code or status}: {message}"
    if code in THROTTLED:
        return DrsThrottlingError(detail, code=code, retry_after=retry_after(error.response))
    if code in DENIED:
        return DrsAccessDeniedError(detail, code=code)
    if status >= 500:
        return DrsUnavailableError(detail, code=code)
    if code.endswith(".NotFound") or code.startswith("Invalid") or code.endswith(".Malformed"):
        # The engine fails a batch for good on ValidationException; a missing template,
        # subnet or address will not appear by retrying.
        return DrsValidationError(detail, code="ValidationException")
    return DrsError(detail, code=code)


@contextmanager
def ec2_errors() -> Iterator[None]:
    """Raise drorch errors for anything botocore raises inside the block."""
    try:
        yield
    except ClientError as exc:
        raise translate(exc) from exc
    except NoCredentialsError as exc:
        raise DrsAccessDeniedError(
            f"no AWS credentials for EC2: {exc}", code="NoCredentials"
        ) from exc
    except BotoCoreError as exc:
        raise DrsUnavailableError(f"EC2 unreachable: {exc}", code=type(exc).__name__) from exc


class BotoEc2Client:
    """EC2 in one account and Region (implements `drorch.ports.ec2.Ec2Client`)."""

    def __init__(self, client: Any, scope: Scope) -> None:
        self.client = client
        self.scope = scope

    def template_versions(self, template_id: str) -> tuple[TemplateVersion, TemplateVersion]:
        """The default and the latest version of a launch template."""
        with ec2_errors():
            items = self.client.describe_launch_template_versions(
                LaunchTemplateId=template_id, Versions=["$Default", "$Latest"]
            )["LaunchTemplateVersions"]
        versions = [_version(item) for item in items]
        default = next(v for v in versions if v.is_default)
        latest = max(versions, key=lambda v: v.number)
        return default, latest

    def create_template_version(
        self, template_id: str, *, source_version: int, data: dict[str, Any], description: str
    ) -> int:
        """CreateLaunchTemplateVersion; the new version's number."""
        with ec2_errors():
            made = self.client.create_launch_template_version(
                LaunchTemplateId=template_id,
                SourceVersion=str(source_version),
                VersionDescription=description[:255],
                LaunchTemplateData=data,
            )
        return int(made["LaunchTemplateVersion"]["VersionNumber"])

    def set_default_version(self, template_id: str, number: int) -> None:
        """ModifyLaunchTemplate: make `number` the default version."""
        with ec2_errors():
            self.client.modify_launch_template(
                LaunchTemplateId=template_id, DefaultVersion=str(number)
            )

    def subnets(self, subnet_ids: Sequence[str]) -> dict[str, Subnet]:
        """The subnets of those ids that exist (a filter, so unknown ids are no error)."""
        if not subnet_ids:
            return {}
        with ec2_errors():
            items = self.client.describe_subnets(
                Filters=[{"Name": "subnet-id", "Values": list(subnet_ids)}]
            )["Subnets"]
        return {
            s["SubnetId"]: Subnet(s["SubnetId"], s.get("VpcId", ""), s["CidrBlock"]) for s in items
        }

    def security_groups(self, group_ids: Sequence[str]) -> dict[str, str]:
        """Security group id -> VPC id, for those that exist."""
        if not group_ids:
            return {}
        with ec2_errors():
            items = self.client.describe_security_groups(
                Filters=[{"Name": "group-id", "Values": list(group_ids)}]
            )["SecurityGroups"]
        return {g["GroupId"]: g.get("VpcId", "") for g in items}

    def addresses_in_use(
        self, subnet_id: str, addresses: Sequence[str]
    ) -> dict[str, AddressHolder]:
        """Address -> the interface (and instance) holding it, for addresses taken in the subnet."""
        if not addresses:
            return {}
        filters = [
            {"Name": "subnet-id", "Values": [subnet_id]},
            {"Name": "private-ip-address", "Values": list(addresses)},
        ]
        with ec2_errors():
            items = self.client.describe_network_interfaces(Filters=filters)["NetworkInterfaces"]
        wanted = set(addresses)
        held: dict[str, AddressHolder] = {}
        for eni in items:
            holder = AddressHolder(
                eni["NetworkInterfaceId"], (eni.get("Attachment") or {}).get("InstanceId")
            )
            for entry in eni.get("PrivateIpAddresses") or [
                {"PrivateIpAddress": eni.get("PrivateIpAddress")}
            ]:
                address = entry.get("PrivateIpAddress")
                if address in wanted:
                    held[address] = holder
        return held


def _version(item: dict[str, Any]) -> TemplateVersion:
    return TemplateVersion(
        template_id=item["LaunchTemplateId"],
        number=int(item["VersionNumber"]),
        is_default=bool(item.get("DefaultVersion")),
        data=dict(item.get("LaunchTemplateData") or {}),
    )


SessionFor = Callable[[Scope, str], Any]


class BotoEc2Gateway:
    """An Ec2Client per account, Region and session name (implements `ports.ec2.Ec2Gateway`).

    `session_for(scope, purpose)` gives the boto3 session: the session provider's assumed
    role for a target account, the hub's own session, or a sandbox key.
    """

    def __init__(self, session_for: SessionFor, *, endpoint_url: str | None = None) -> None:
        self._session_for = session_for
        self._endpoint_url = endpoint_url
        self._clients: dict[tuple[Scope, str], BotoEc2Client] = {}
        self._lock = threading.Lock()

    def client(self, scope: Scope, *, purpose: str = "engine") -> BotoEc2Client:
        """The (cached) client of a scope for a purpose."""
        key = (scope, purpose)
        with self._lock:
            found = self._clients.get(key)
        if found is not None:
            return found
        session = self._session_for(scope, purpose)
        made = BotoEc2Client(
            session.client(
                "ec2", region_name=scope.region, endpoint_url=self._endpoint_url, config=EC2_CONFIG
            ),
            scope,
        )
        with self._lock:
            if len(self._clients) >= MAX_CLIENTS:
                self._clients.clear()
            return self._clients.setdefault(key, made)
