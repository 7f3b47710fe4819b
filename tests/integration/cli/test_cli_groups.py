"""`drorch groups` against a real server."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from drorch.adapters.storage.sqlite import SqliteStore
from drorch.domain.common import is_control, new_id, utcnow
from drorch.domain.groups import ProtectionGroup, Selection
from tests.integration.cli.conftest import Cli
from tests.integration.conftest import FLEET_ACCOUNTS, fleet, group_body, unique_name

FLEET_ACCOUNT = FLEET_ACCOUNTS[3]

Write = Callable[[str, str | bytes], Path]
Pool = Callable[[int], list[str]]


def group_yaml(name: str, ids: list[str], **extra: Any) -> str:
    return yaml.safe_dump(group_body(name, ids=ids, **extra))


def test_create_from_yaml_then_get_by_name_and_id(cli: Cli, write: Write, pool: Pool) -> None:
    name, ids = unique_name("cli"), pool(2)
    made = cli("groups", "create", "-f", str(write("g.yaml", group_yaml(name, ids))), "--json")
    assert made.exit_code == 0, made.stderr
    group = made.json()
    assert group["member_server_ids"] == sorted(ids)
    for ref in (group["id"], name, name.upper()):
        got = cli("groups", "get", ref, "--json")
        assert got.exit_code == 0 and got.json() == group
    table = cli("groups", "get", name)
    assert group["id"] in table.stdout and ids[0] in table.stdout and "Members (2)" in table.stdout


def test_create_from_json_and_from_a_file_without_extension(
    cli: Cli, write: Write, pool: Pool
) -> None:
    for file_name in ("g.json", "group-doc"):
        body = json.dumps(group_body(unique_name("cli"), ids=pool(1)))
        out = cli("groups", "create", "-f", str(write(file_name, body)))
        assert out.exit_code == 0, out.stderr
        assert "Members (1)" in out.stdout


def test_list_table_and_json(cli: Cli, make_group: Callable[..., dict[str, Any]]) -> None:
    prefix = unique_name("lst")
    made = [make_group(name=f"{prefix}-{i}") for i in range(3)]
    table = cli("groups", "list", "--search", prefix)
    assert all(g["id"] in table.stdout for g in made)
    page = cli("groups", "list", "--search", prefix, "--sort", "-name", "--limit", "2", "--json")
    assert [g["name"] for g in page.json()["items"]] == [f"{prefix}-2", f"{prefix}-1"]
    every = cli("groups", "list", "--search", prefix, "--limit", "1", "--all", "--json").json()
    assert len(every["items"]) == 3 and every["next_cursor"] is None


def test_update_uses_a_fresh_etag(cli: Cli, write: Write, pool: Pool) -> None:
    name, ids = unique_name("cli"), pool(3)
    cli("groups", "create", "-f", str(write("a.yaml", group_yaml(name, ids[:1]))))
    changed = write("b.yaml", group_yaml(name, ids, description="bigger"))
    out = cli("groups", "update", name, "-f", str(changed), "--json")
    assert out.exit_code == 0, out.stderr
    assert out.json()["version"] == 2 and out.json()["member_server_ids"] == sorted(ids)


def test_update_accepts_a_saved_get_document(cli: Cli, write: Write, pool: Pool) -> None:
    name = unique_name("cli")
    cli("groups", "create", "-f", str(write("a.yaml", group_yaml(name, pool(1)))))
    saved = cli("groups", "get", name, "--json").json()
    saved["description"] = "edited from a saved copy"
    out = cli("groups", "update", saved["id"], "-f", str(write("s.json", json.dumps(saved))))
    assert out.exit_code == 0, out.stderr
    assert "edited from a saved copy" in out.stdout


def test_update_from_a_stale_saved_file_is_412(cli: Cli, write: Write, pool: Pool) -> None:
    name = unique_name("cli")
    cli("groups", "create", "-f", str(write("a.yaml", group_yaml(name, pool(1)))))
    saved = cli("groups", "get", name, "--json").json()
    mine = write("mine.json", json.dumps({**saved, "description": "mine"}))
    theirs = write("theirs.json", json.dumps({**saved, "description": "theirs"}))
    assert cli("groups", "update", name, "-f", str(theirs)).exit_code == 0
    out = cli("groups", "update", name, "-f", str(mine))
    assert out.exit_code == 1
    assert "412" in out.error_line() and "version 2" in out.error_line()
    assert cli("groups", "get", name, "--json").json()["description"] == "theirs"


def test_update_names_read_only_fields_that_differ(cli: Cli, write: Write, pool: Pool) -> None:
    name = unique_name("cli")
    cli("groups", "create", "-f", str(write("a.yaml", group_yaml(name, pool(1)))))
    saved = cli("groups", "get", name, "--json").json()
    doc = write("m.json", json.dumps({**saved, "member_server_ids": [], "description": "x"}))
    out = cli("groups", "update", name, "-f", str(doc))
    assert out.exit_code == 1
    assert "422" in out.error_line() and "member_server_ids" in out.error_line()


def test_update_with_stale_if_match_is_refused(cli: Cli, write: Write, pool: Pool) -> None:
    name = unique_name("cli")
    doc = write("a.yaml", group_yaml(name, pool(1)))
    cli("groups", "create", "-f", str(doc))
    assert cli("groups", "update", name, "-f", str(doc), "--if-match", "1").exit_code == 0
    out = cli("groups", "update", name, "-f", str(doc), "--if-match", "1")
    assert out.exit_code == 1
    assert "412" in out.error_line() and "version 2" in out.error_line()


def test_update_refuses_a_document_of_another_group(
    cli: Cli, write: Write, make_group: Callable[..., dict[str, Any]]
) -> None:
    one, other = make_group(), make_group()
    doc = write("o.json", json.dumps({**group_body(one["name"]), "id": other["id"]}))
    out = cli("groups", "update", one["id"], "-f", str(doc))
    assert out.exit_code == 2 and other["id"] in out.error_line()


def test_overlap_error_names_server_and_group(cli: Cli, write: Write, pool: Pool) -> None:
    ids = pool(2)
    holder = cli("groups", "create", "-f", str(write("a.yaml", group_yaml(unique_name(), ids))))
    assert holder.exit_code == 0
    out = cli("groups", "create", "-f", str(write("b.yaml", group_yaml(unique_name(), ids[1:]))))
    assert out.exit_code == 1
    assert ids[1] in out.error_line() and "409" in out.error_line()


def test_delete_needs_yes_without_a_terminal(
    cli: Cli, make_group: Callable[..., dict[str, Any]]
) -> None:
    group = make_group()
    refused = cli("groups", "delete", group["name"])
    assert refused.exit_code == 2 and "--yes" in refused.error_line()
    assert cli("groups", "get", group["id"]).exit_code == 0
    out = cli("groups", "delete", group["name"], "--yes", "--json")
    assert out.exit_code == 0 and out.json() == {"deleted": group["id"], "name": group["name"]}
    gone = cli("groups", "get", group["id"])
    assert gone.exit_code == 1 and "no protection group" in gone.error_line()


def test_delete_of_a_group_in_a_plan_names_the_plan(
    cli: Cli, make_group: Callable[..., dict[str, Any]], make_plan: Callable[..., Any]
) -> None:
    group = make_group()
    plan = make_plan([("w", [group["id"]])])
    out = cli("groups", "delete", group["id"], "-y")
    assert out.exit_code == 1 and plan["name"] in out.error_line()


def test_preview_from_options_and_from_a_file(cli: Cli, write: Write) -> None:
    want = sorted(
        s.id
        for s in fleet(FLEET_ACCOUNT)
        if s.region == "us-east-1" and s.tags == {"env": "dev", "tier": "web"}
    )
    args = ["--account", FLEET_ACCOUNT, "--region", "us-east-1", "--json"]
    out = cli("groups", "preview", *args, "--tag", "env=dev", "--tag", "tier=web")
    assert out.exit_code == 0, out.stderr
    assert [s["id"] for s in out.json()["servers"]] == want
    doc = group_body("x", tags={"env": "dev", "tier": "web"}, account_id=FLEET_ACCOUNT)
    table = cli("groups", "preview", "-f", str(write("p.yaml", yaml.safe_dump(doc))))
    assert table.exit_code == 0 and all(i in table.stdout for i in want)
    assert f"{len(want)} server(s) selected" in table.stdout


def test_preview_shows_who_holds_a_server(
    cli: Cli, make_group: Callable[..., dict[str, Any]], pool: Pool
) -> None:
    (server,) = pool(1)
    holder = make_group(ids=[server])
    args = ["--account", "111122223333", "--region", "us-east-1", "--server", server]
    out = cli("groups", "preview", *args)
    assert holder["name"] in out.stdout and "1 held by another group" in out.stdout
    mine = cli("groups", "preview", *args, "--group", holder["name"], "--json").json()
    assert mine["conflicts"] == []


def test_preview_for_an_unknown_group_is_refused(cli: Cli, write: Write, pool: Pool) -> None:
    doc = group_body("x", ids=pool(1), group_id="pg-000000000000")
    out = cli("groups", "preview", "-f", str(write("p.yaml", yaml.safe_dump(doc))))
    assert out.exit_code == 1 and "pg-000000000000" in out.error_line()


def test_preview_without_a_selection_is_a_usage_error(cli: Cli) -> None:
    out = cli("groups", "preview", "--account", FLEET_ACCOUNT)
    assert out.exit_code == 2 and "region" in out.error_line()


def test_stored_control_characters_are_shown_escaped(cli: Cli, store: SqliteStore) -> None:
    # Written past the API (as data from before names were checked would be).
    prefix = unique_name("ctl")
    now = utcnow()
    group = ProtectionGroup(
        id=new_id("pg"),
        name=f"{prefix}\x1b[2J\u202egnp.exe\x00",
        description="line one\nline two\x07",
        account_id="999988887777",
        region="eu-west-1",
        selection=Selection(tags={"ctl": prefix}),
        created_at=now,
        updated_at=now,
    )
    with store.transaction() as uow:
        uow.groups.add(group)
    listed = cli("groups", "list", "--search", prefix)
    shown = cli("groups", "get", group.id)
    for out in (listed, shown):
        assert out.exit_code == 0, out.stderr
        assert not [c for c in out.stdout if is_control(c) and c != "\n"], out.stdout
        assert "\\x1b[2J\\u202egnp.exe\\x00" in out.stdout
    assert "line one" in shown.stdout and "two\\x07" in shown.stdout
    assert cli("groups", "get", group.id, "--json").json()["name"] == group.name


def test_create_and_preview_print_warnings_on_stderr(cli: Cli, write: Write, pool: Pool) -> None:
    inside, outside = pool(2)
    doc = group_yaml(unique_name("cli"), [inside], server_overrides={outside: {"optional": True}})
    path = str(write("warned.yaml", doc))
    made = cli("groups", "create", "-f", path, "--json")
    assert made.exit_code == 0, made.stderr
    line = f"warning: server_overrides.{outside}: {outside} is not in the group's selection"
    assert made.stderr.startswith(line)
    assert made.json()["warnings"][0]["path"] == f"server_overrides.{outside}"
    preview = cli("groups", "preview", "-f", path)
    assert preview.exit_code == 0 and preview.stderr.startswith(line)
    empty = cli(
        "groups",
        "preview",
        "--account",
        "111122223333",
        "--region",
        "us-east-1",
        "--tag",
        "Application=nothing",
    )
    assert empty.exit_code == 0 and empty.stdout == "no source servers match the selection\n"
    assert empty.stderr.startswith("warning: selection: the tag selector (Application=nothing)")
