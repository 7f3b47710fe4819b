"""Fixtures for browser tests: a built UI, Chromium, and `drorch serve` processes."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest
from bench.ui_figures import CHROMIUM, CHROMIUM_ARGS, FRONTEND_DIST
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from tests.e2e.browser import REPO


@pytest.fixture(scope="session")
def built_ui() -> None:
    """The Vite build the server serves; built once when missing (`make frontend` does it)."""
    if not (FRONTEND_DIST / "index.html").is_file():
        subprocess.run(["make", "-s", "frontend"], cwd=REPO, check=True)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright, built_ui: None) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    # Reduced motion: no fades that axe could catch half-way (contrast of a fading element).
    # bypass_csp: axe-core is injected as an inline script, which the UI's CSP refuses.
    context = browser.new_context(
        viewport={"width": 1440, "height": 900}, reduced_motion="reduce", bypass_csp=True
    )
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()
