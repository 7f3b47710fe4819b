"""`drorch schedules` against the session's server."""

from __future__ import annotations

from typing import Any

from tests.integration.cli.conftest import Cli
from tests.integration.conftest import unique_name


def test_add_get_update_runs_preview_and_remove(
    cli: Cli, make_group: Any, make_plan: Any, pool: Any
) -> None:
    db, app = make_group(ids=pool(1)), make_group(ids=pool(1))
    plan = make_plan([("db", [db["id"]]), ("app", [app["id"]])])
    name = unique_name("weekly")
    made = cli(
        "schedules",
        "add",
        name,
        "--plan",
        plan["name"],
        "--cron",
        "0 6 * * 6",
        "--tz",
        "Europe/Berlin",
        "--wave",
        "db",
        "--json",
    )
    assert made.exit_code == 0, made.stderr
    schedule = made.json()
    assert schedule["waves"] == ["db"] and schedule["plan_id"] == plan["id"]
    shown = cli("schedules", "get", name)
    assert shown.exit_code == 0 and "At 06:00 on Saturday" in shown.stdout
    listed = cli("schedules", "list", "--plan", plan["id"], "--json").json()
    assert [s["id"] for s in listed] == [schedule["id"]]

    off = cli("schedules", "update", name, "--disable", "--json")
    assert off.exit_code == 0, off.stderr
    assert off.json()["enabled"] is False and off.json()["next_due_at"] is None
    runs = cli("schedules", "runs", name)
    assert runs.exit_code == 0 and "no runs yet" in runs.stdout

    preview = cli("schedules", "preview", "*/30 * * * *", "--count", "2", "--json").json()
    assert len(preview["times"]) == 2
    assert preview["description"] == "Every 30th minute of every hour"
    bad = cli("schedules", "preview", "0 99 * * *")
    assert bad.exit_code == 1 and "hour" in bad.error_line()

    usage = cli("schedules", "add", unique_name("x"), "--plan", plan["id"])
    assert usage.exit_code == 2 and usage.error_line() == "error: give either --cron or --at"
    gone = cli("schedules", "remove", name, "--yes")
    assert gone.exit_code == 0, gone.stderr
    assert cli("schedules", "get", name).exit_code == 1
