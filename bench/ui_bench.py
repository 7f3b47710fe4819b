"""UI figures: built JS+CSS size (gzipped) and the render time of a 1,000-server execution.

Serves the app in-process, built through bootstrap like every entry point (no DRS needed:
the execution is answered from memory by the browser's request routing), and drives
headless Chromium (/usr/bin/chromium). Prints the figures
and writes bench/results/ui.json. Targets: <= 1 MiB gzipped, <= 500 ms render.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench._support import serve_app  # noqa: E402
from bench.ui_figures import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    FRONTEND_DIST,
    bundle_sizes,
    render_times,
    report,
    sign_in,
)

from drorch.api.app import create_app  # noqa: E402
from drorch.bootstrap import Container, bootstrap  # noqa: E402
from drorch.config import Settings  # noqa: E402
from drorch.domain.identity import Role  # noqa: E402
from drorch.services import users  # noqa: E402
from drorch.services.audit import CLI_AUDIT  # noqa: E402

RESULTS = REPO / "bench" / "results" / "ui.json"
USER = "bench-viewer"
PASSWORD = "bench-password-not-secret"


def main(argv: list[str] | None = None) -> None:
    """Measure the bundle and the render time (one run with --quick), print, write the JSON."""
    args = _arguments(argv)
    if not (FRONTEND_DIST / "index.html").is_file():
        raise SystemExit("frontend/dist is missing: run `make frontend` first")
    sizes = bundle_sizes()
    with (
        tempfile.TemporaryDirectory() as tmp,
        serve_app(create_app(_container(Path(tmp)))) as url,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        sign_in(page, url, USER, PASSWORD)  # through the sign-in page, as a person
        render = render_times(page, url, runs=1 if args.quick else 9)
        browser.close()
    print(report(sizes, render))
    result = {"quick": args.quick, "bundle": sizes, "execution_detail_1000_servers": render}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")


def _container(data_dir: Path) -> Container:
    """The app's container on a fresh data dir, with one viewer to sign in as."""
    settings = Settings(
        data_dir=data_dir, runner_enabled=False, drs_enabled=False, frontend_dir=FRONTEND_DIST
    )
    container = bootstrap(settings)
    assert container.auth is not None
    users.create_user(
        store=container.store,
        passwords=container.auth.passwords,
        audit=CLI_AUDIT,
        username=USER,
        password=PASSWORD,
        role=Role.VIEWER,
    )
    return container


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="One render run: checks the path.")
    parser.add_argument("--out", type=Path, default=RESULTS, help="Where to write the JSON.")
    return parser.parse_args(argv)


if __name__ == "__main__":
    main()
