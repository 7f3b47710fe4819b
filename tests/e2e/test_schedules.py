"""The Schedules page in headless Chromium: an operator schedules a drill, then reads its runs.

The server has no DRS, so the run a second worker (an hour ahead on a virtual clock) takes
is SKIPPED, and the page shows why.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from drorch.adapters.clock import ManualClock
from drorch.services.readiness import ReadinessPorts
from drorch.services.schedule_runs import RunTools, plan_readiness
from drorch.services.scheduler import Scheduler
from tests.e2e.browser import check_page
from tests.e2e.console import sign_in
from tests.e2e.servers import OPERATOR, api, with_operator
from tests.support.builders import ACCOUNT, REGION, server, server_id
from tests.support.server import RunningServer, open_store, running_server, seed_servers

PLAN = "e2e-storefront"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, built_ui: None) -> Iterator[RunningServer]:
    data_dir = Path(tmp_path_factory.mktemp("schedules"))
    seed_servers(data_dir, [server(n) for n in (1, 2)])
    with running_server(data_dir) as running:
        made = with_operator(running)
        with api(made) as http:
            groups = []
            for tier, n in (("db", 1), ("app", 2)):
                body = {
                    "name": f"e2e-{tier}",
                    "account_id": ACCOUNT,
                    "region": REGION,
                    "selection": {"server_ids": [server_id(n)]},
                }
                groups.append((tier, http.post("/api/v1/protection-groups", json=body).json()))
            waves = [{"name": t, "protection_group_ids": [g["id"]]} for t, g in groups]
            plan = http.post("/api/v1/recovery-plans", json={"name": PLAN, "waves": waves})
            assert plan.status_code == 201, plan.text
        yield made


def tick_an_hour_ahead(data_dir: Path) -> None:
    """A worker of its own on the server's database, with its clock an hour ahead."""
    store = open_store(data_dir)
    try:
        clock = ManualClock(datetime.now(UTC) + timedelta(hours=1))
        readiness = plan_readiness(ReadinessPorts(store=store, drs=None, clock=clock))
        Scheduler(RunTools(store, clock, None, None, readiness, None), owner="e2e").tick()
    finally:
        store.close()


def test_operator_schedules_a_drill_and_sees_its_skipped_run(
    page: Page, served: RunningServer
) -> None:
    sign_in(page, served.base_url, served.users[OPERATOR], path="/schedules")
    expect(page.get_by_text("No schedules")).to_be_visible()
    page.get_by_role("button", name="Create schedule").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill("half-hourly")
    dialog.get_by_role("button", name=re.compile("^Recovery plan")).click()
    page.get_by_role("option", name=PLAN).click()
    dialog.get_by_label("Cron expression").fill("*/30 * * * *")
    dialog.get_by_label("Time zone").fill("Europe/Berlin")
    preview = dialog.get_by_role("region", name="Next runs")
    expect(preview.get_by_role("listitem")).to_have_count(5)
    expect(preview).to_contain_text("(Europe/Berlin)")
    check_page(page, "schedule-form")
    dialog.get_by_role("button", name="Create schedule").click()
    expect(page.get_by_text("Schedule half-hourly created")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("^Select half-hourly "))
    expect(row.get_by_text(PLAN)).to_be_visible()
    expect(row.get_by_text(OPERATOR, exact=True)).to_be_visible()

    tick_an_hour_ahead(served.data_dir)
    page.reload()
    page.get_by_role("radio", name="Select half-hourly").check()
    runs = page.get_by_role("table", name="Runs")
    expect(runs.get_by_text("SKIPPED")).to_be_visible()
    expect(runs.get_by_text("no DRS endpoint is configured")).to_be_visible()
    expect(runs.get_by_text(re.compile("^late"))).to_be_visible()
    check_page(page, "schedule-runs")
