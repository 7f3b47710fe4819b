"""The start preflight checks launch settings against the target account's EC2.

Each failure kind appears once, naming the server, the setting and the reason; the checks
read the sandbox's EC2 (moto) over HTTP through drorch's EC2 adapter.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from drorch.adapters.storage.sqlite import SqliteStore
from drorch.domain.groups import GroupDraft, LaunchDefaults, Selection, ServerOverride
from drorch.domain.plans import PlanDraft, Wave
from drorch.errors import ConflictError
from drorch.ports.clock import WALL_CLOCK
from drorch.ports.ec2 import Ec2Gateway
from drorch.services import executions as svc
from drorch.services.groups import create_group
from drorch.services.inventory import sync_inventory
from drorch.services.launch_checks import subnet_problem
from drorch.services.plans import create_plan
from drorch.services.readiness import ReadinessPorts
from tests.support.builders import register_accounts
from tests.support.ec2 import ec2_client, ec2_fleet, ec2_gateway, group_id, subnet_id
from tests.support.identity import acting
from tests.support.sandbox import ACCOUNT, REGION, RunningSandbox, running_sandbox, sid

MISSING_SUBNET = "subnet-0123456789abcdef0"
MISSING_GROUP = "sg-0123456789abcdef0"


@pytest.fixture(scope="module")
def sb() -> Iterator[RunningSandbox]:
    with running_sandbox(ec2_fleet(8), clock="virtual") as running:
        yield running


@pytest.fixture
def store(sb: RunningSandbox) -> Iterator[SqliteStore]:
    made = SqliteStore(":memory:")
    register_accounts(made)
    sync_inventory(store=made, drs=sb.gateway())
    yield made
    made.close()


def group(store: SqliteStore, name: str, servers: list[str], **launch: Any) -> str:
    overrides = launch.pop("overrides", {})
    draft = GroupDraft(
        name=name,
        account_id=ACCOUNT,
        region=REGION,
        selection=Selection(server_ids=servers),
        launch_defaults=LaunchDefaults(**launch),
        server_overrides={s: ServerOverride(**o) for s, o in overrides.items()},
    )
    return create_group(store=store, draft=draft).group.id


def test_every_kind_of_bad_launch_setting_is_a_reason(
    sb: RunningSandbox, store: SqliteStore
) -> None:
    ec2 = ec2_client(sb)
    app = subnet_id(ec2, "drorch-app")
    taken = ec2.create_network_interface(SubnetId=app, PrivateIpAddress="10.0.1.60")
    eni = taken["NetworkInterface"]["NetworkInterfaceId"]
    lost = group(store, "lost", [sid(1)], subnet_id=MISSING_SUBNET)
    ips = {
        sid(2): {"static_private_ip": "10.0.9.9"},
        sid(3): {"static_private_ip": "10.0.1.255"},
        sid(4): {"static_private_ip": "10.0.1.3"},
        sid(5): {"static_private_ip": "10.0.1.40"},
        sid(6): {"static_private_ip": "10.0.1.60"},
    }
    apps = group(
        store,
        "apps",
        [sid(2), sid(3), sid(4), sid(5), sid(6)],
        subnet_id=app,
        security_group_ids=[group_id(ec2, "app"), MISSING_GROUP],
        overrides=ips,
    )
    # Not in the plan, but its server claims 10.0.1.40 too: static IPs are unique everywhere.
    group(
        store,
        "other",
        [sid(7)],
        subnet_id=app,
        overrides={sid(7): {"static_private_ip": "10.0.1.40"}},
    )
    waves = [Wave(name="w", protection_group_ids=[lost, apps])]
    plan = create_plan(store=store, draft=PlanDraft(name="bad", waves=waves)).id
    request = svc.StartRequest(plan, "DRILL")
    gateway = ec2_gateway(sb)

    found = svc.preflight_execution(
        store=store, drs=sb.gateway(), request=request, ports=ports(store, sb, gateway)
    )
    kinds = {(r["reason"], r.get("source_server_id")) for r in found.reasons}
    assert {
        ("subnet-missing", sid(1)),
        ("ip-outside-subnet", sid(2)),
        ("ip-reserved", sid(3)),
        ("ip-reserved", sid(4)),
        ("ip-duplicate", sid(5)),
        ("ip-in-use", sid(6)),
    } <= kinds
    missing_group = [r for r in found.reasons if r["reason"] == "security-group-missing"]
    assert {r["source_server_id"] for r in missing_group} == {
        sid(2),
        sid(3),
        sid(4),
        sid(5),
        sid(6),
    }
    by_server = {(r["reason"], r.get("source_server_id")): r for r in found.reasons}
    lost_subnet = by_server[("subnet-missing", sid(1))]
    assert lost_subnet["setting"] == "launch_defaults.subnet_id"
    assert MISSING_SUBNET in lost_subnet["message"] and sid(1) in lost_subnet["message"]
    in_use = by_server[("ip-in-use", sid(6))]
    assert in_use["setting"] == f"server_overrides.{sid(6)}.static_private_ip"
    assert eni in in_use["message"] and in_use["scope"] == f"{ACCOUNT}/{REGION}"
    assert sid(7) in by_server[("ip-duplicate", sid(5))]["message"]
    with pytest.raises(ConflictError):
        svc.start_execution(
            store=store,
            drs=sb.gateway(),
            request=request,
            audit=acting("op"),
            ports=ports(store, sb, gateway),
        )


def test_settings_that_fit_the_account_pass(sb: RunningSandbox, store: SqliteStore) -> None:
    ec2 = ec2_client(sb)
    app = subnet_id(ec2, "drorch-app")
    good = group(
        store,
        "good",
        [sid(8)],
        subnet_id=app,
        security_group_ids=[group_id(ec2, "web")],
        overrides={sid(8): {"static_private_ip": "10.0.1.80"}},
    )
    plan = create_plan(
        store=store,
        draft=PlanDraft(name="good", waves=[Wave(name="w", protection_group_ids=[good])]),
    ).id
    request = svc.StartRequest(plan, "DRILL")
    found = svc.preflight_execution(
        store=store, drs=sb.gateway(), request=request, ports=ports(store, sb, ec2_gateway(sb))
    )
    assert found.ok, found.reasons


def test_subnet_problem_knows_the_five_reserved_addresses() -> None:
    cidr = "10.1.2.0/24"
    reserved = ["10.1.2.0", "10.1.2.1", "10.1.2.2", "10.1.2.3", "10.1.2.255"]
    assert {(subnet_problem(a, cidr) or ("", ""))[0] for a in reserved} == {"ip-reserved"}
    assert subnet_problem("10.1.2.4", cidr) is None and subnet_problem("10.1.2.254", cidr) is None
    assert subnet_problem("10.1.3.4", cidr) == (
        "ip-outside-subnet",
        "static IP 10.1.3.4 is outside the subnet's CIDR 10.1.2.0/24",
    )


def ports(store: SqliteStore, sb: RunningSandbox, ec2: Ec2Gateway) -> ReadinessPorts:
    """Readiness ports with the sandbox's EC2, as bootstrap.readiness_ports gives them."""
    return ReadinessPorts(store=store, drs=sb.gateway(), clock=WALL_CLOCK, ec2=ec2)
