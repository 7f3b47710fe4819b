"""`drorch plans` against a real server."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tests.integration.cli.conftest import Cli
from tests.integration.conftest import plan_body, unique_name

Write = Callable[[str, str | bytes], Path]
MakeGroup = Callable[..., dict[str, Any]]
Pool = Callable[[int], list[str]]


def plan_yaml(name: str, waves: list[tuple[str, list[str]]], **extra: Any) -> str:
    return yaml.safe_dump(plan_body(name, waves, **extra))


def test_create_with_group_names_then_get(cli: Cli, write: Write, make_group: MakeGroup) -> None:
    db, app = make_group(), make_group()
    name = unique_name("cliplan")
    doc = plan_yaml(name, [("db", [db["name"].upper()]), ("app", [app["id"]])], rto_minutes=45)
    made = cli("plans", "create", "-f", str(write("p.yaml", doc)), "--json")
    assert made.exit_code == 0, made.stderr
    plan = made.json()
    assert [w["protection_group_ids"] for w in plan["waves"]] == [[db["id"]], [app["id"]]]
    assert plan.pop("readiness")["status"] == "READY"  # a save's advice, not part of the plan
    for ref in (plan["id"], name.upper()):
        assert cli("plans", "get", ref, "--json").json() == plan
    table = cli("plans", "get", name).stdout
    assert "db (previous)" in table and "Waves" in table and plan["id"] in table


def test_unknown_group_name_in_a_wave_is_one_line(cli: Cli, write: Write) -> None:
    doc = plan_yaml(unique_name(), [("w", ["no-such-group"])])
    out = cli("plans", "create", "-f", str(write("p.yaml", doc)))
    assert out.exit_code == 1 and "no-such-group" in out.error_line()


def test_wave_errors_come_back_as_one_line(cli: Cli, write: Write, make_group: MakeGroup) -> None:
    group = make_group()
    doc = plan_yaml(unique_name(), [("a", [group["id"]]), ("a", [group["id"]])])
    out = cli("plans", "create", "-f", str(write("p.yaml", doc)))
    assert out.exit_code == 1
    line = out.error_line()
    assert "'a'" in line and "422" in line and "waves[1].name" in line


def test_list_update_and_delete(cli: Cli, write: Write, make_group: MakeGroup) -> None:
    group = make_group()
    name = unique_name("cliplan")
    first = write("a.yaml", plan_yaml(name, [("w", [group["id"]])]))
    assert cli("plans", "create", "-f", str(first)).exit_code == 0
    listed = cli("plans", "list", "--search", name, "--json").json()["items"]
    assert [p["name"] for p in listed] == [name]
    assert name in cli("plans", "list", "--search", name).stdout
    second = write("b.json", json.dumps(plan_body(name, [("w", [group["id"]])], rto_minutes=5)))
    updated = cli("plans", "update", name, "-f", str(second), "--json")
    assert updated.exit_code == 0, updated.stderr
    assert updated.json()["rto_minutes"] == 5 and updated.json()["version"] == 2
    stale = cli("plans", "delete", name, "--yes", "--if-match", "1")
    assert stale.exit_code == 1 and "412" in stale.error_line()
    deleted = cli("plans", "delete", name, "--yes")
    assert deleted.exit_code == 0 and "deleted recovery plan" in deleted.stdout
    assert cli("plans", "list", "--search", name, "--json").json()["items"] == []


def test_update_from_a_stale_saved_plan_is_412(
    cli: Cli, write: Write, make_plan: Callable[..., Any], make_group: MakeGroup
) -> None:
    plan = make_plan([("w", [make_group()["id"]])])
    saved = cli("plans", "get", plan["id"], "--json").json()
    theirs = write("theirs.json", json.dumps({**saved, "rto_minutes": 10}))
    mine = write("mine.json", json.dumps({**saved, "rto_minutes": 20}))
    assert cli("plans", "update", plan["id"], "-f", str(theirs)).exit_code == 0
    out = cli("plans", "update", plan["id"], "-f", str(mine))
    assert out.exit_code == 1 and "412" in out.error_line()
    assert cli("plans", "get", plan["id"], "--json").json()["rto_minutes"] == 10


def test_validate_saved_plan_warns_and_exits_0(
    cli: Cli, make_group: MakeGroup, make_plan: Callable[..., Any], pool: Pool
) -> None:
    big = make_group(ids=pool(101))
    plan = make_plan([("big", [big["id"]])])
    out = cli("plans", "validate", plan["name"], "--json")
    assert out.exit_code == 0, out.stderr
    report = out.json()
    assert report["valid"] is True
    assert any("101 servers" in w["message"] for w in report["warnings"])
    table = cli("plans", "validate", plan["id"])
    assert table.exit_code == 0 and "Warnings" in table.stdout and "valid:" in table.stdout


def test_validate_a_draft_file_with_errors_exits_1(cli: Cli, write: Write) -> None:
    doc = plan_body(unique_name(), [("w", ["pg-000000000000"])])
    out = cli("plans", "validate", "-f", str(write("d.json", json.dumps(doc))), "--json")
    assert out.exit_code == 1
    assert out.json()["valid"] is False
    table = cli("plans", "validate", "-f", str(write("d.json", json.dumps(doc))))
    assert table.exit_code == 1 and "INVALID" in table.stdout


def test_validate_needs_exactly_one_of_plan_or_file(cli: Cli) -> None:
    out = cli("plans", "validate")
    assert out.exit_code == 2 and "PLAN" in out.error_line()
