"""Page actions on the drorch console, in the words of an operator."""

from __future__ import annotations

import re

from bench.ui_figures import sign_in as sign_in_as
from playwright.sync_api import Locator, Page, expect

from tests.support.server import Credentials

ACCOUNT = "111122223333"
REGION = "us-east-1"
SLOW = 90_000  # ms: waits on the engine and the sandbox (scaled clock)


def create_group_by_tags(page: Page, base: str, name: str, tags: dict[str, str]) -> None:
    """Fill the group form with a tag selector, check the live preview, create the group."""
    page.goto(f"{base}/groups/new")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label(re.compile("^AWS account")).fill(ACCOUNT)
    page.get_by_label(re.compile("^Region")).fill(REGION)
    for i, (key, value) in enumerate(tags.items(), start=1):
        if i > 1:
            page.get_by_role("button", name="Add tag").click()
        page.get_by_label(f"Tag key {i}").fill(key)
        page.get_by_label(f"Tag value {i}").fill(value)
    preview = page.get_by_role("table", name="Matching servers")
    expect(preview.get_by_text("Available").first).to_be_visible()


def submit_group(page: Page, name: str) -> None:
    page.get_by_role("button", name="Create group").click()
    expect(page.get_by_text(f"Protection group {name} saved")).to_be_visible()


def pick_groups(page: Page, wave_index: int, groups: list[str]) -> None:
    card = page.get_by_test_id(f"wave-card-{wave_index}")
    card.get_by_role("button", name=re.compile("^Protection groups")).click()
    for group in groups:
        page.get_by_role("option", name=re.compile(f"^{re.escape(group)}")).click()
    page.keyboard.press("Escape")


def name_wave(page: Page, wave_index: int, name: str) -> None:
    page.get_by_label(f"Name of wave {wave_index + 1}").fill(name)


def execution_status(page: Page):
    return page.get_by_test_id("execution-status")


def confirm_action(page: Page, button: str) -> None:
    """Click an action in the page header, then confirm it in its modal."""
    page.get_by_role("button", name=button, exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name=button, exact=True).click()
    expect(page.get_by_text(f"{button}: request accepted")).to_be_visible()


def user_menu(page: Page) -> Locator:
    """The user menu of the top bar (its label names the user and the role)."""
    return page.get_by_role("button", name=re.compile("^User menu: "))


def sign_in(page: Page, base: str, who: Credentials, path: str = "/") -> None:
    """Open the console at `path` and sign in through its sign-in page, as a person would."""
    sign_in_as(page, base, who.username, who.password, path)


def sign_out(page: Page) -> None:
    """Sign out from the user menu; the sign-in page comes back."""
    user_menu(page).click()
    page.get_by_role("menuitem", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to drorch")).to_be_visible()
