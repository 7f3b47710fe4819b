"""Launch-settings checks against the target account: subnets, security groups, static IPs.

Plain functions over the EC2 (and DRS) ports, returning structured findings, so that the
start preflight and readiness run the very same checks. Every finding names the group, the
server, the setting (its path in the group) and the reason. Reads use the target account's
own session (the gateways take every client from the session provider).
"""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from drorch.domain.executions import Snapshot
from drorch.domain.groups import ProtectionGroup
from drorch.domain.launch_settings import LaunchSettings, settings_for
from drorch.errors import DrsError, SessionError
from drorch.ports.drs import DrsGateway, Scope
from drorch.ports.ec2 import Ec2Client, Ec2Gateway, Subnet
from drorch.ports.store import UnitOfWork

if TYPE_CHECKING:
    from drorch.domain import readiness
    from drorch.services.readiness_checks import Context

PURPOSE = "preflight"


@dataclass(frozen=True)
class Finding:
    """One launch setting that would not work, and why."""

    reason: str
    account_id: str
    region: str
    group_id: str
    setting: str
    message: str
    source_server_id: str | None = None

    def as_reason(self) -> dict[str, object]:
        """The preflight's reason dict: kind, message, scope, group, setting, server."""
        data = {k: v for k, v in asdict(self).items() if v is not None}
        data["scope"] = f"{data.pop('account_id')}/{data.pop('region')}"
        return data


@dataclass(frozen=True)
class Target:
    """One server of one group, with the settings it would launch with."""

    group: ProtectionGroup
    server_id: str
    settings: LaunchSettings

    def path(self, member: str) -> str:
        """Where in the group a member comes from: the server's override or the defaults."""
        override = self.group.server_overrides.get(self.server_id)
        if override is not None and getattr(override, member, None) is not None:
            return f"server_overrides.{self.server_id}.{member}"
        return f"launch_defaults.{member}"


def targets(
    groups: Iterable[ProtectionGroup], members: Mapping[str, Sequence[str]]
) -> list[Target]:
    """Every member server of the groups with its resolved settings."""
    return [
        Target(group, sid, settings_for(group, sid))
        for group in groups
        for sid in members.get(group.id, [])
    ]


def snapshot_reasons(
    snap: Snapshot, uow: UnitOfWork, *, ec2: Ec2Gateway, drs: DrsGateway | None
) -> list[dict[str, object]]:
    """The start preflight's reasons: findings for every server an execution would launch."""
    groups = {g.id: g for g in snap.groups}
    chosen = [
        Target(
            groups[s.group_id],
            s.source_server_id,
            settings_for(groups[s.group_id], s.source_server_id),
        )
        for s in snap.servers
        if s.group_id in groups
    ]
    found = check_launch_settings(chosen, ec2=ec2, all_groups=uow.groups.all(), drs=drs)
    return [f.as_reason() for f in found]


def check_launch(ctx: Context, uow: UnitOfWork) -> list[readiness.Finding]:
    """Readiness check `launch-settings`: every server's settings fit its target account.

    Runs only where the process has EC2 (`Context.ec2`, from bootstrap.readiness_ports);
    each finding is an error naming the group, server and setting, with the scope.
    """
    from drorch.domain.readiness import Severity, SubjectKind
    from drorch.services.readiness_checks import finding

    if ctx.ec2 is None or ctx.invalid:
        return []
    found = []
    for reason in snapshot_reasons(ctx.snap, uow, ec2=ctx.ec2, drs=ctx.drs):
        detail = {k: v for k, v in reason.items() if k not in {"reason", "message"}}
        server = detail.get("source_server_id")
        subject = (
            (SubjectKind.SERVER, str(server))
            if server is not None
            else (SubjectKind.GROUP, str(detail["group_id"]))
        )
        found.append(
            finding(
                "launch-settings",
                str(reason["reason"]),
                Severity.ERROR,
                subject,
                str(reason["message"]),
                **detail,
            )
        )
    return found


def static_ip_owners(
    groups: Iterable[ProtectionGroup],
) -> dict[tuple[str, str, str], list[tuple[str, str]]]:
    """(account, Region, address) -> [(group id, server id)] over every group's overrides."""
    owners: dict[tuple[str, str, str], list[tuple[str, str]]] = defaultdict(list)
    for group in groups:
        for sid, override in group.server_overrides.items():
            if override.static_private_ip:
                key = (group.account_id, group.region, override.static_private_ip)
                owners[key].append((group.id, sid))
    return owners


def check_launch_settings(
    chosen: Sequence[Target],
    *,
    ec2: Ec2Gateway,
    all_groups: Iterable[ProtectionGroup],
    drs: DrsGateway | None = None,
) -> list[Finding]:
    """Every finding for the chosen servers, scope by scope (one set of reads per scope)."""
    owners = static_ip_owners(all_groups)
    by_scope: dict[Scope, list[Target]] = defaultdict(list)
    for target in chosen:
        by_scope[Scope(target.group.account_id, target.group.region)].append(target)
    found: list[Finding] = []
    for scope, scoped in sorted(by_scope.items(), key=lambda kv: (kv[0].account_id, kv[0].region)):
        found += _check_scope(scope, scoped, ec2, drs, owners)
    return found


def _check_scope(
    scope: Scope,
    scoped: list[Target],
    ec2: Ec2Gateway,
    drs: DrsGateway | None,
    owners: Mapping[tuple[str, str, str], list[tuple[str, str]]],
) -> list[Finding]:
    try:
        client = ec2.client(scope, purpose=PURPOSE)
        subnets = client.subnets(
            sorted({t.settings.subnet_id for t in scoped if t.settings.subnet_id})
        )
        wanted_groups = sorted({g for t in scoped for g in t.settings.security_group_ids})
        groups = client.security_groups(wanted_groups)
        found: list[Finding] = []
        for target in scoped:
            found += network_findings(target, subnets, groups)
            found += address_findings(target, subnets, owners)
        found += interface_findings(scoped, subnets, client, _own_instances(drs, scope, scoped))
        return found
    except SessionError as exc:
        return [_scope_finding(scope, scoped, "session-error", f"{exc.step}", exc.detail)]
    except DrsError as exc:
        return [_scope_finding(scope, scoped, "ec2-error", "launch settings", exc.detail)]


def _scope_finding(
    scope: Scope, scoped: list[Target], reason: str, setting: str, detail: str
) -> Finding:
    where = f"{scope.account_id}/{scope.region}"
    return Finding(
        reason=reason,
        account_id=scope.account_id,
        region=scope.region,
        group_id=scoped[0].group.id,
        setting=setting,
        message=f"cannot check launch settings in {where}: {detail}",
    )


def _finding(target: Target, reason: str, member: str, message: str) -> Finding:
    return Finding(
        reason=reason,
        account_id=target.group.account_id,
        region=target.group.region,
        group_id=target.group.id,
        setting=target.path(member),
        message=f"{target.server_id} (group {target.group.name!r}): {message}",
        source_server_id=target.server_id,
    )


def network_findings(
    target: Target, subnets: Mapping[str, Subnet], groups: Mapping[str, str]
) -> list[Finding]:
    """The subnet and the security groups exist, and the groups are in the subnet's VPC."""
    found = []
    where = f"{target.group.account_id}/{target.group.region}"
    subnet_id = target.settings.subnet_id
    subnet = subnets.get(subnet_id) if subnet_id else None
    if subnet_id and subnet is None:
        found.append(
            _finding(
                target,
                "subnet-missing",
                "subnet_id",
                f"subnet {subnet_id} does not exist in {where}",
            )
        )
    for group_id in target.settings.security_group_ids:
        vpc = groups.get(group_id)
        if vpc is None:
            message = f"security group {group_id} does not exist in {where}"
            found.append(_finding(target, "security-group-missing", "security_group_ids", message))
        elif subnet is not None and vpc and subnet.vpc_id and vpc != subnet.vpc_id:
            message = (
                f"security group {group_id} is in {vpc}, "
                f"subnet {subnet.subnet_id} in {subnet.vpc_id}"
            )
            found.append(
                _finding(target, "security-group-other-vpc", "security_group_ids", message)
            )
    return found


def address_findings(
    target: Target,
    subnets: Mapping[str, Subnet],
    owners: Mapping[tuple[str, str, str], list[tuple[str, str]]],
) -> list[Finding]:
    """A static IP lies in the subnet's CIDR, is not reserved, and no other server has it."""
    address = target.settings.static_private_ip
    if not address:
        return []
    found = []
    key = (target.group.account_id, target.group.region, address)
    others = [sid for _, sid in owners.get(key, []) if sid != target.server_id]
    if others:
        message = f"static IP {address} is also the static IP of {', '.join(sorted(others))}"
        found.append(_finding(target, "ip-duplicate", "static_private_ip", message))
    subnet = subnets.get(target.settings.subnet_id or "")
    if subnet is None:
        return found
    problem = subnet_problem(address, subnet.cidr)
    if problem is not None:
        reason, text = problem
        found.append(_finding(target, reason, "static_private_ip", f"{text} ({subnet.subnet_id})"))
    return found


def subnet_problem(address: str, cidr: str) -> tuple[str, str] | None:
    """Why an address cannot be a static IP in a subnet (outside, or AWS-reserved), or None."""
    ip = ipaddress.IPv4Address(address)
    network = ipaddress.IPv4Network(cidr, strict=False)
    if ip not in network:
        return "ip-outside-subnet", f"static IP {address} is outside the subnet's CIDR {cidr}"
    # AWS reserves the network address, the next three (router, DNS, future) and the last.
    offset = int(ip) - int(network.network_address)
    if offset < 4 or ip == network.broadcast_address:
        return (
            "ip-reserved",
            f"static IP {address} is one of the five addresses AWS reserves in {cidr}",
        )
    return None


def interface_findings(
    scoped: Sequence[Target],
    subnets: Mapping[str, Subnet],
    client: Ec2Client,
    own: Mapping[str, str],
) -> list[Finding]:
    """Static IPs a network interface holds already (except the server's own recovery instance)."""
    wanted: dict[str, list[Target]] = defaultdict(list)
    for target in scoped:
        if target.settings.static_private_ip and target.settings.subnet_id in subnets:
            wanted[str(target.settings.subnet_id)].append(target)
    found = []
    for subnet_id, targets_in in sorted(wanted.items()):
        addresses = sorted({str(t.settings.static_private_ip) for t in targets_in})
        held = client.addresses_in_use(subnet_id, addresses)
        for target in targets_in:
            holder = held.get(str(target.settings.static_private_ip))
            if holder is None:
                continue
            if holder.instance_id and holder.instance_id == own.get(target.server_id):
                continue  # DRS replaces the server's previous recovery instance at launch
            on = f" (instance {holder.instance_id})" if holder.instance_id else ""
            message = (
                f"static IP {target.settings.static_private_ip} is taken by network interface "
                f"{holder.interface_id}{on}"
            )
            found.append(_finding(target, "ip-in-use", "static_private_ip", message))
    return found


def _own_instances(
    drs: DrsGateway | None, scope: Scope, scoped: Sequence[Target]
) -> dict[str, str]:
    """Server id -> the EC2 instance of its current recovery instance (DRS replaces it)."""
    with_ip = [t.server_id for t in scoped if t.settings.static_private_ip]
    if drs is None or not with_ip:
        return {}
    instances = drs.client(scope).describe_recovery_instances(source_server_ids=with_ip)
    return {i.source_server_id: i.ec2_instance_id for i in instances if i.ec2_instance_id}
