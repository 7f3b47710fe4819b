"""Rules of protection groups: selection, launch settings, membership conflicts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from drorch.domain.groups import (
    LaunchDefaults,
    ProtectionGroup,
    Selection,
    ServerOverride,
    check_launch_settings,
    check_selection,
    membership_conflicts,
    resolve_selection,
)
from tests.support.builders import ACCOUNT, REGION, server, server_id

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def group(**fields: object) -> ProtectionGroup:
    base: dict[str, object] = {
        "id": "pg-000000000001",
        "name": "g",
        "account_id": ACCOUNT,
        "region": REGION,
        "selection": Selection(tags={"app": "shop"}),
        "created_at": NOW,
        "updated_at": NOW,
    }
    return ProtectionGroup.model_validate({**base, **fields})


def test_selection_needs_exactly_one_kind() -> None:
    with pytest.raises(ValidationError):
        Selection()
    with pytest.raises(ValidationError):
        Selection(server_ids=[], tags={"a": "b"})
    with pytest.raises(ValidationError):
        Selection(tags={})


def test_selection_json_shows_only_its_kind() -> None:
    assert Selection(tags={"a": "b"}).model_dump() == {"tags": {"a": "b"}}
    assert Selection(server_ids=["x"]).model_dump() == {"server_ids": ["x"]}


def test_tag_selector_needs_every_tag_and_stays_in_scope() -> None:
    inventory = [
        server(1, tags={"app": "shop", "tier": "web"}),
        server(2, tags={"app": "shop"}),
        server(3, tags={"app": "shop", "tier": "web"}, region="eu-west-1"),
    ]
    picked = resolve_selection(
        Selection(tags={"app": "shop", "tier": "web"}),
        account_id=ACCOUNT,
        region=REGION,
        inventory=inventory,
    )
    assert picked == [server_id(1)]


def test_explicit_selection_reports_unknown_repeated_and_foreign_servers() -> None:
    inventory = {s.id: s for s in [server(1), server(2, account_id="999988887777")]}
    selection = Selection(server_ids=[server_id(1), server_id(1), server_id(2), server_id(3)])
    problems = check_selection(selection, account_id=ACCOUNT, region=REGION, inventory=inventory)
    assert [p.path for p in problems] == [
        "selection.server_ids[1]",
        "selection.server_ids[2]",
        "selection.server_ids[3]",
    ]
    assert "twice" in problems[0].message
    assert "999988887777" in problems[1].message
    assert "not in the inventory" in problems[2].message


def test_static_ips_are_checked_for_syntax_subnet_reservation_and_duplicates() -> None:
    overrides = {
        server_id(1): ServerOverride(static_private_ip="10.0.0.10"),
        server_id(2): ServerOverride(static_private_ip="10.0.0.10"),
        server_id(3): ServerOverride(static_private_ip="10.0.1.5"),
        server_id(4): ServerOverride(static_private_ip="10.0.0.2"),
        server_id(5): ServerOverride(static_private_ip="10.0.0.255"),
        server_id(6): ServerOverride(static_private_ip="10.0.0.300"),
        server_id(7): ServerOverride(instance_type="large"),
    }
    g = group(launch_defaults=LaunchDefaults(subnet_cidr="10.0.0.0/24"), server_overrides=overrides)
    found = {p.path.split(".")[1]: p.message for p in check_launch_settings(g)}
    assert "already the static IP" in found[server_id(2)]
    assert "outside the subnet" in found[server_id(3)]
    assert "reserved" in found[server_id(4)]
    assert "reserved" in found[server_id(5)]
    assert "not an IPv4 address" in found[server_id(6)]
    assert "instance type" in found[server_id(7)]
    assert server_id(1) not in found


@pytest.mark.parametrize("value", ["m5.large", "t3.micro", "c6gn.16xlarge", "u-6tb1.metal"])
def test_real_instance_types_pass(value: str) -> None:
    assert check_launch_settings(group(launch_defaults=LaunchDefaults(instance_type=value))) == []


def test_conflicts_name_the_holding_group_but_ignore_the_group_itself() -> None:
    holders = {"s-1": ("pg-x", "payments"), "s-2": ("pg-self", "me")}
    assert membership_conflicts("pg-self", ["s-1", "s-2", "s-3"], holders) == [
        {"source_server_id": "s-1", "group_id": "pg-x", "group_name": "payments"}
    ]
