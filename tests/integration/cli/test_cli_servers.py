"""`drorch servers` against a real server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.integration.cli.conftest import Cli, Outcome
from tests.integration.conftest import FLEET_ACCOUNTS, FLEET_SIZE, fleet, unique_name
from tests.support.builders import ACCOUNT
from tests.support.server import RunningServer, running_server

FLEET_ACCOUNT = FLEET_ACCOUNTS[2]
FLEET = fleet(FLEET_ACCOUNT)


def by_hostname(ids: set[str]) -> list[str]:
    chosen = sorted((s for s in FLEET if s.id in ids), key=lambda s: (s.hostname, s.id))
    return [s.id for s in chosen]


def test_list_table_shows_servers(cli: Cli) -> None:
    out = cli("servers", "list", "--account", FLEET_ACCOUNT, "--limit", "5")
    assert out.exit_code == 0, out.stderr
    first = sorted(FLEET, key=lambda s: s.hostname)[0]
    assert first.id in out.stdout and first.hostname in out.stdout
    assert "HOSTNAME" in out.stdout and "REPLICATION" in out.stdout
    assert "--cursor" in out.stderr  # the hint about the next page goes to stderr


def test_list_json_is_a_page(cli: Cli) -> None:
    out = cli("servers", "list", "--account", FLEET_ACCOUNT, "--limit", "7", "--json")
    assert out.exit_code == 0, out.stderr
    page = out.json()
    assert len(page["items"]) == 7 and page["next_cursor"]
    assert out.stderr == ""


def test_all_follows_every_cursor(cli: Cli) -> None:
    out = cli("servers", "list", "--account", FLEET_ACCOUNT, "--all", "--json")
    page = out.json()
    assert [s["id"] for s in page["items"]] == by_hostname({s.id for s in FLEET})
    assert page["next_cursor"] is None


def test_cursor_option_continues_a_listing(cli: Cli) -> None:
    first = cli("servers", "list", "--account", FLEET_ACCOUNT, "--limit", "50", "--json").json()
    rest = cli(
        "servers", "list", "--account", FLEET_ACCOUNT, "--cursor", first["next_cursor"], "--json"
    ).json()
    ids = [s["id"] for s in first["items"] + rest["items"]]
    assert ids == by_hostname({s.id for s in FLEET})


def test_filters_map_to_the_api(cli: Cli) -> None:
    args = ["--account", FLEET_ACCOUNT, "--region", "us-east-1", "--all", "--json"]
    tagged = cli("servers", "list", *args, "--tag", "env=prod", "--tag", "tier=web").json()
    want = {
        s.id for s in FLEET if s.region == "us-east-1" and s.tags == {"env": "prod", "tier": "web"}
    }
    assert {s["id"] for s in tagged["items"]} == want
    stalled = cli("servers", "list", *args, "--state", "STALLED").json()
    assert {s["id"] for s in stalled["items"]} == {
        s.id for s in FLEET if s.region == "us-east-1" and s.replication_state == "STALLED"
    }
    found = cli("servers", "list", *args, "--search", "DB-").json()
    assert {s["id"] for s in found["items"]} == {
        s.id for s in FLEET if s.region == "us-east-1" and s.hostname.startswith("db-")
    }


def test_sort_descending(cli: Cli) -> None:
    out = cli("servers", "list", "--account", FLEET_ACCOUNT, "--sort", "-id", "--all", "--json")
    ids = [s["id"] for s in out.json()["items"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == FLEET_SIZE


def test_assigned_and_group_filters(cli: Cli, make_group: Callable[..., dict[str, Any]]) -> None:
    members = [s.id for s in FLEET if s.region == "us-west-2"][:3]
    group = make_group(ids=members, account_id=FLEET_ACCOUNT, region="us-west-2")
    args = ["--account", FLEET_ACCOUNT, "--all", "--json"]
    assigned = cli("servers", "list", *args, "--assigned").json()
    assert sorted(s["id"] for s in assigned["items"]) == sorted(members)
    free = cli("servers", "list", *args, "--unassigned").json()
    assert len(free["items"]) == FLEET_SIZE - len(members)
    for ref in (group["id"], group["name"].upper()):
        held = cli("servers", "list", *args, "--group", ref).json()
        assert sorted(s["id"] for s in held["items"]) == sorted(members)


def test_list_shows_the_group_of_each_server(
    cli: Cli, make_group: Callable[..., dict[str, Any]], pool: Callable[[int], list[str]]
) -> None:
    member, free = pool(2)
    # Brackets would be Rich markup: "[ops]" vanish, "[/]" crash the table.
    group = make_group(name=f"[ops] {unique_name('cli-group')} [/]", ids=[member])

    def listing(server_id: str, *flags: str) -> Outcome:
        hostname = f"pool-{int(server_id[2:], 16):05d}"  # the pool's naming, one match
        return cli("servers", "list", "--account", ACCOUNT, "--search", hostname, *flags)

    table = listing(member)
    assert table.exit_code == 0, table.stderr
    assert "GROUP" in table.stdout and group["name"] in table.stdout
    assert group["name"] not in listing(free).stdout
    [held] = listing(member, "--json").json()["items"]
    assert (held["group_id"], held["group_name"]) == (group["id"], group["name"])
    [unheld] = listing(free, "--json").json()["items"]
    assert (unheld["group_id"], unheld["group_name"]) == (None, None)


def test_bad_tag_is_a_usage_error(cli: Cli) -> None:
    out = cli("servers", "list", "--tag", "novalue")
    assert out.exit_code == 2
    assert "key=value" in out.error_line()


def test_limit_over_500_is_refused_by_the_api(cli: Cli) -> None:
    out = cli("servers", "list", "--limit", "501")
    assert out.exit_code == 1
    assert "limit" in out.error_line() and "422" in out.error_line()


def test_sync_without_drs_is_one_error_line(cli: Cli) -> None:
    out = cli("servers", "sync")
    assert out.exit_code == 1
    assert "DRS" in out.error_line() and "409" in out.error_line()
    out = cli("servers", "sync", "--json")
    assert out.exit_code == 1 and out.stdout == ""


@pytest.fixture(scope="module")
def sandboxed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """A server with the DRS sandbox mounted, so sync has something to read."""
    with running_server(tmp_path_factory.mktemp("sandboxed"), args=["--sandbox"]) as running:
        yield running


def test_sync_shows_counts_per_scope(cli: Cli, sandboxed: RunningServer) -> None:
    out = cli("servers", "sync", "--json", api_url=sandboxed.base_url, server=sandboxed)
    assert out.exit_code == 0, out.stderr
    scopes = out.json()["scopes"]
    assert scopes and all(s["servers"] >= 0 and s["removed"] == 0 for s in scopes)
    listed = cli(
        "servers", "list", "--all", "--json", api_url=sandboxed.base_url, server=sandboxed
    ).json()
    assert len(listed["items"]) == sum(s["servers"] for s in scopes)
    table = cli("servers", "sync", api_url=sandboxed.base_url, server=sandboxed)
    assert table.exit_code == 0 and "SERVERS" in table.stdout
    assert all(s["account_id"] in table.stdout for s in scopes)
