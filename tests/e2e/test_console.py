"""The console end to end in headless Chromium against `drorch serve --sandbox`.

Sign in as the admin, sync the inventory, create protection groups by tags, a two-wave plan
that pauses before wave 2, start a drill, resume it at the pause, see it complete and see
it clean up by itself. Every page is screenshotted and checked with axe-core.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import check_page
from tests.e2e.console import (
    SLOW,
    confirm_action,
    create_group_by_tags,
    execution_status,
    name_wave,
    pick_groups,
    sign_in,
    submit_group,
)
from tests.e2e.servers import sandbox_server
from tests.support.server import RunningServer

PLAN = "storefront"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, built_ui: None) -> Iterator[RunningServer]:
    with sandbox_server(Path(tmp_path_factory.mktemp("console"))) as running:
        yield running


def sync_inventory(page: Page, base: str) -> None:
    page.goto(f"{base}/servers")
    expect(page.get_by_text("No source servers")).to_be_visible()
    check_page(page, "servers-empty")
    page.get_by_role("button", name="Sync from DRS").click()
    expect(page.get_by_text("Inventory synced")).to_be_visible()
    expect(page.get_by_role("rowheader", name="stor-db-e01")).to_be_visible()
    check_page(page, "servers")
    filter_and_choose_columns(page)


def filter_and_choose_columns(page: Page) -> None:
    """Property filter by tag (server-side), then show one more column."""
    search = page.get_by_role("combobox", name="Filter source servers")
    search.fill("Tag (key=value) = Tier=db")
    search.press("Enter")
    expect(page.get_by_role("rowheader", name="stor-web-e01")).to_have_count(0)
    expect(page.get_by_role("rowheader", name="stor-db-e01")).to_be_visible()
    page.get_by_role("button", name="Preferences").click()
    page.get_by_role("dialog").get_by_role("checkbox", name="OS", exact=True).click()
    page.get_by_role("dialog").get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("columnheader", name="OS", exact=True).first).to_be_visible()
    check_page(page, "servers-filtered")


def create_groups(page: Page, base: str) -> None:
    create_group_by_tags(page, base, "storefront-db", {"Application": "storefront", "Tier": "db"})
    preview = page.get_by_role("table", name="Matching servers")
    expect(preview.get_by_role("cell", name="stor-db-e02")).to_be_visible()
    expect(preview.get_by_role("cell", name="stor-web-e01")).to_have_count(0)
    check_page(page, "group-create")
    submit_group(page, "storefront-db")
    show_conflicts(page, base)
    create_group_by_tags(page, base, "storefront-web", {"Application": "storefront", "Tier": "web"})
    submit_group(page, "storefront-web")
    expect(page.get_by_role("link", name="storefront-web")).to_be_visible()
    check_page(page, "groups")


def show_conflicts(page: Page, base: str) -> None:
    """A selection overlapping another group: flagged in the preview, refused on save."""
    create_group_by_tags(page, base, "storefront-all", {"Application": "storefront"})
    preview = page.get_by_role("table", name="Matching servers")
    expect(preview.get_by_text("Held by group storefront-db")).to_have_count(2)
    page.get_by_role("button", name="Create group").click()
    expect(page.get_by_text("The group was not saved")).to_be_visible()
    expect(
        page.get_by_text(re.compile("already belong to another protection group"))
    ).to_be_visible()
    check_page(page, "group-conflict")


def create_plan(page: Page, base: str) -> None:
    page.goto(f"{base}/plans/new")
    page.get_by_label("Name", exact=True).fill(PLAN)
    name_wave(page, 0, "databases")
    pick_groups(page, 0, ["storefront-db"])
    page.get_by_role("button", name="Add wave").click()
    name_wave(page, 1, "web")
    pick_groups(page, 1, ["storefront-web"])
    page.get_by_test_id("wave-card-1").get_by_text("Pause before this wave").click()
    expect(page.get_by_text("Plan is valid")).to_be_visible()
    graph = page.get_by_test_id("wave-graph")
    expect(graph).to_have_attribute("aria-label", re.compile("web after databases"))
    check_page(page, "plan-create")
    page.get_by_role("button", name="Create plan").click()
    expect(page.get_by_text(f"Recovery plan {PLAN} saved")).to_be_visible()
    check_page(page, "plans")


def start_drill(page: Page) -> None:
    page.get_by_role("radio", name=f"Select {PLAN}").check()
    page.get_by_role("link", name="Start execution").click()
    expect(page.get_by_text("The plan is valid.")).to_be_visible()
    expect(page.get_by_text("No other execution of this plan is active.")).to_be_visible()
    page.get_by_text("Recovery", exact=True).click()
    start_recovery = page.get_by_role("button", name="Start recovery")
    expect(start_recovery).to_be_disabled()
    page.get_by_label("Plan name to confirm").fill(PLAN)
    expect(start_recovery).to_be_enabled()
    check_page(page, "start-recovery")
    page.get_by_text("Drill", exact=True).click()
    check_page(page, "start-drill")
    page.get_by_role("button", name="Start drill").click()
    expect(page).to_have_url(re.compile(r"/executions/ex-"))


def run_drill(page: Page) -> None:
    status = execution_status(page)
    expect(status).to_contain_text("PAUSED", timeout=SLOW)
    expect(page.get_by_test_id("wave-web")).to_be_visible()
    check_page(page, "execution-paused")
    confirm_action(page, "Resume")
    expect(status).to_contain_text("COMPLETED", timeout=SLOW)
    # The Gantt draws each DRS job from the aggregated timeline, not one bar per server.
    expect(page.get_by_test_id("launch-bar").first).to_be_visible()
    check_page(page, "execution-completed")
    find_servers(page)
    # The plan holds no instances (cleanup_after_minutes 0): the drill cleans up by itself.
    expect(page.get_by_test_id("cleanup-status")).to_contain_text("COMPLETED", timeout=SLOW)
    expect(page.get_by_role("cell", name="TERMINATED").first).to_be_visible(timeout=SLOW)
    expect(page.get_by_test_id("cleanup-bar").first).to_be_visible(timeout=SLOW)
    check_page(page, "execution-cleaned-up")


def find_servers(page: Page) -> None:
    """The server table asks the API for what the filter names, and shows what it answers."""
    table = page.get_by_role("table", name="Servers of the execution")
    search = page.get_by_label("Find servers of the execution")
    search.fill("no-such-server-anywhere")
    expect(page.get_by_text("No server matches the filter.")).to_be_visible()
    search.fill("")
    # LAUNCHED, or TERMINATED once the drill's automatic cleanup has run.
    done = re.compile(r"^(LAUNCHED|TERMINATED)$")
    expect(table.get_by_role("cell", name=done).first).to_be_visible()


def test_drill_from_the_console(page: Page, server: RunningServer) -> None:
    base = server.base_url
    sign_in(page, base, server.admin)
    check_page(page, "dashboard-empty")
    sync_inventory(page, base)
    create_groups(page, base)
    create_plan(page, base)
    start_drill(page)
    run_drill(page)
    page.get_by_role("link", name="Executions").first.click()
    expect(page.get_by_role("cell", name="COMPLETED").first).to_be_visible()
    check_page(page, "executions")
    page.goto(base)
    expect(page.get_by_text("Last drill")).to_be_visible()
    check_page(page, "dashboard")
    page.goto(f"{base}/no-such-page")
    expect(page.get_by_text("Page not found")).to_be_visible()
    check_page(page, "not-found")
