"""Fleet files: the shipped demo fleet, validation, the replicating-servers quota."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from drorch.sandbox import FleetError, load_fleet, synthetic_fleet
from drorch.sandbox.fleet import fleet_data
from tests.support.sandbox import ACCOUNT, REGION, sid, small_fleet


def test_demo_fleet_has_two_applications_in_three_tiers_and_two_regions() -> None:
    fleet = load_fleet()
    prod = [s for s in fleet.servers if s.tags["Environment"] == "prod"]
    apps = {s.tags["Application"] for s in prod}
    tiers = {s.tags["Tier"] for s in fleet.servers}
    assert 25 <= len(fleet.servers) <= 35
    assert apps == {"storefront", "payroll"}
    # The README's examples group these, which the demo's samples leave unassigned.
    staging = {s.hostname: s.tags for s in fleet.servers if s not in prod}
    assert {t["Application"] for t in staging.values()} == {"intranet"}
    assert sorted(staging) == ["intra-db-e01", "intra-web-e01", "intra-web-e02"]
    assert tiers == {"web", "app", "db"}
    assert {s.region for s in fleet.servers} == {"us-east-1", "us-west-2"}
    assert any(s.os == "WINDOWS" for s in fleet.servers)
    assert sum(s.replication_state == "STALLED" for s in fleet.servers) == 2


def test_demo_fleet_ids_have_the_drs_forms() -> None:
    fleet = load_fleet()
    assert all(re.fullmatch(r"[0-9]{12}", a.id) for a in fleet.accounts)
    assert all(re.fullmatch(r"s-[0-9a-f]{17}", s.id) for s in fleet.servers)


def test_fleet_file_is_read_from_yaml(tmp_path: Path) -> None:
    path = tmp_path / "fleet.yaml"
    path.write_text(
        f'accounts: [{{id: "{ACCOUNT}"}}]\n'
        f'servers: [{{id: {sid(1)}, account: "{ACCOUNT}", region: {REGION}, hostname: a}}]\n'
    )
    fleet = load_fleet(path)
    assert [s.hostname for s in fleet.servers] == ["a"]
    assert fleet.key_map() == {f"SBX{ACCOUNT}": ACCOUNT}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda f: f["servers"].append(dict(f["servers"][0])), "unique"),
        (lambda f: f["servers"][0].update(account="999999999999"), "unknown account"),
        (lambda f: f["servers"][0].update(id="s-short"), "id"),
        (lambda f: f["servers"][0].update(replication_state="FINE"), "replication_state"),
        (lambda f: f["accounts"][1].update(access_keys=["SBXTEST"]), "access key"),
        (lambda f: f["servers"][0].update(colour="red"), "colour"),
    ],
)
def test_bad_fleets_are_refused_with_a_reason(change: Any, message: str) -> None:
    data = small_fleet()
    change(data)
    with pytest.raises(FleetError, match=message):
        load_fleet(data)


def test_more_than_300_replicating_servers_in_an_account_is_refused() -> None:
    data = synthetic_fleet(301)
    data["quotas"] = {}
    with pytest.raises(FleetError, match="DRS allows 300"):
        load_fleet(data)


def test_unreadable_and_invalid_yaml_files_raise_fleet_errors(tmp_path: Path) -> None:
    with pytest.raises(FleetError, match="cannot read"):
        load_fleet(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("accounts: [unclosed\n")
    with pytest.raises(FleetError, match="YAML"):
        load_fleet(bad)


def test_synthetic_fleet_spreads_servers_over_accounts() -> None:
    fleet = load_fleet(synthetic_fleet(40, accounts=4))
    assert len(fleet.servers) == 40
    assert len({s.account for s in fleet.servers}) == 4


def test_a_json_fleet_file_reads_as_the_same_fleet_as_its_yaml_form(tmp_path: Path) -> None:
    data = synthetic_fleet(12, accounts=3)
    as_json, as_yaml = tmp_path / "fleet.json", tmp_path / "fleet.yaml"
    as_json.write_text(json.dumps(data))
    as_yaml.write_text(yaml.safe_dump(data))
    assert load_fleet(as_json) == load_fleet(as_yaml)
    assert fleet_data(as_json.read_text()) == data


def test_a_yaml_flow_mapping_that_is_not_json_still_reads_as_yaml() -> None:
    text = f'{{accounts: [{{id: "{ACCOUNT}"}}], seed: 7}}'
    assert fleet_data(text) == {"accounts": [{"id": ACCOUNT}], "seed": 7}
