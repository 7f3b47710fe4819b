"""Headless Chromium (Debian's package) through Playwright, plus axe-core and screenshots."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
AXE_SCRIPT = REPO / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = {"serious", "critical"}
SETTLED_JS = """() => document.getAnimations().every(
  (a) => a.playState !== "running" || a.effect?.getTiming().iterations === Infinity)"""


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under tests/e2e/artifacts/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^a-z0-9-]+', '-', name.lower())}.png"
    # A full-page capture draws sticky parts (the side navigation) at the scroll offset.
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations of the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the debugging protocol: the page's CSP refuses added script tags.
        page.evaluate(AXE_SCRIPT.read_text() + "\n;undefined")
    result = page.evaluate(
        "async () => (await window.axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [v for v in result if v.get("impact") in BLOCKING_IMPACTS]


def describe(violations: list[dict[str, Any]]) -> str:
    """Violations in a form worth reading in a failed assertion."""
    lines = []
    for v in violations:
        targets = [n.get("target") for n in v.get("nodes", [])][:5]
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} -> {json.dumps(targets)}")
    return "\n".join(lines)


def settle(page: Page) -> None:
    """Wait until no CSS animation or transition is running."""
    page.wait_for_function("() => document.getAnimations().every((a) => a.playState !== 'running')")


def check_page(page: Page, name: str) -> None:
    """Screenshot the page, then assert axe finds nothing serious or critical on it."""
    settle(page)
    screenshot(page, name)
    violations = axe_violations(page)
    assert not violations, f"accessibility problems on {name}:\n{describe(violations)}"
