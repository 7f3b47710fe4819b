"""Figures of the UI (printed, never asserted): bundle size and a 1,000-server render time."""

from __future__ import annotations

import gzip
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Page, Route, expect

REPO = Path(__file__).resolve().parents[1]
FRONTEND_DIST = REPO / "frontend" / "dist"
CHROMIUM = "/usr/bin/chromium"  # Debian's Chromium; never a downloaded browser
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]

BENCH_EXECUTION = "ex-bench0001000"
WAVES = 10
SERVERS_PER_WAVE = 100


def bundle_sizes(dist: Path = FRONTEND_DIST) -> dict[str, int]:
    """Raw and gzipped bytes of the built JS and CSS."""
    files = [p for p in (dist / "assets").iterdir() if p.suffix in {".js", ".css"}]
    raw = sum(p.stat().st_size for p in files)
    zipped = sum(len(gzip.compress(p.read_bytes(), compresslevel=9)) for p in files)
    return {"files": len(files), "raw_bytes": raw, "gzip_bytes": zipped}


def _server(wave: int, n: int, start: datetime) -> dict[str, Any]:
    began = start + timedelta(seconds=wave * 600 + n % 60)
    return {
        "wave": f"wave-{wave + 1}",
        "source_server_id": f"s-{wave * 1000 + n:017x}",
        "hostname": f"bench-{wave:02d}-{n:03d}",
        "account_id": "111122223333",
        "region": "us-east-1",
        "group_id": f"pg-{wave:012x}",
        "optional": False,
        "status": "LAUNCHED",
        "launch_status": "LAUNCHED",
        "job_id": f"drsjob-{wave:04d}{n // 100:02d}",
        "recovery_instance_id": f"i-{wave * 1000 + n:017x}",
        "ec2_instance_id": f"i-{wave * 1000 + n + 5_000_000:017x}",
        "started_at": began.isoformat(),
        "ended_at": (began + timedelta(seconds=420)).isoformat(),
        "error": None,
        "terminate_job_id": None,
        "terminated_at": None,
    }


START = datetime(2026, 1, 1, tzinfo=UTC)


def big_servers() -> list[dict[str, Any]]:
    """The bench drill's 1,000 servers in plan order, shaped like ServerRunRead."""
    return [_server(w, n, START) for w in range(WAVES) for n in range(SERVERS_PER_WAVE)]


def _waves(servers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    waves = []
    for w in range(WAVES):
        mine = servers[w * SERVERS_PER_WAVE : (w + 1) * SERVERS_PER_WAVE]
        waves.append(
            {
                "name": f"wave-{w + 1}",
                "status": "COMPLETED",
                "depends_on": [f"wave-{w}"] if w else [],
                "pause_before": False,
                "started_at": mine[0]["started_at"],
                "ended_at": mine[-1]["ended_at"],
                "server_count": len(mine),
                "counts": {"LAUNCHED": len(mine)},
            }
        )
    return waves


def big_execution() -> dict[str, Any]:
    """A finished drill of 1,000 servers in 10 waves: its header, shaped like ExecutionRead."""
    end = START + timedelta(seconds=WAVES * 600)
    total = WAVES * SERVERS_PER_WAVE
    return {
        "id": BENCH_EXECUTION,
        "plan_id": "rp-000000bench",
        "plan_name": "bench",
        "type": "DRILL",
        "status": "COMPLETED",
        "cleanup_status": "NOT_STARTED",
        "finished": True,
        "paused_reason": None,
        "waiting_scopes": [],
        "terminate_on_cancel": False,
        "leftovers": [],
        "server_count": total,
        "counts": {"LAUNCHED": total},
        "waves": _waves(big_servers()),
        "jobs": {"total": WAVES, "open": 0},
        "timings": {
            "rto_minutes": None,
            "rto_achieved_seconds": 6000.0,
            "paused_seconds": 0.0,
            "paused_since": None,
            "within_rto": None,
        },
        "started_by": "bench",
        "version": 1,
        "created_at": START.isoformat(),
        "started_at": START.isoformat(),
        "ended_at": end.isoformat(),
        "updated_at": end.isoformat(),
    }


def big_timeline() -> dict[str, Any]:
    """The bench drill per wave and DRS job, shaped like TimelineRead."""
    header = big_execution()
    waves = []
    for wave in header["waves"]:
        job = {
            "batch_id": f"b-{wave['name']}",
            "kind": "LAUNCH",
            "job_id": f"drsjob-{wave['name']}",
            "state": "DONE",
            "job_status": "COMPLETED",
            "account_id": "111122223333",
            "region": "us-east-1",
            "server_count": wave["server_count"],
            "created_at": wave["started_at"],
            "started_at": wave["started_at"],
            "ended_at": wave["ended_at"],
            "counts": wave["counts"],
        }
        keep = ("name", "status", "started_at", "ended_at", "server_count", "counts")
        waves.append({**{k: wave[k] for k in keep}, "jobs": [job]})
    return {
        "execution_id": BENCH_EXECUTION,
        "version": 1,
        "status": "COMPLETED",
        "created_at": header["created_at"],
        "started_at": header["started_at"],
        "ended_at": header["ended_at"],
        "waves": waves,
        "cleanup_jobs": [],
    }


def _fulfil(route: Route, body: Any, status: int = 200) -> None:
    route.fulfill(status=status, content_type="application/json", body=json.dumps(body))


def _servers_page(route: Route, servers: list[dict[str, Any]]) -> None:
    # A stand-in cursor (the offset): the page only passes back what it was given.
    query = parse_qs(urlparse(route.request.url).query)
    limit = int(query.get("limit", ["100"])[0])
    offset = int(query.get("cursor", ["0"])[0])
    more = offset + limit < len(servers)
    page = {
        "items": servers[offset : offset + limit],
        "next_cursor": str(offset + limit) if more else None,
    }
    _fulfil(route, page)


def serve_big_execution(page: Page) -> None:
    """Answer the page's calls for the bench execution from memory (no engine needed)."""
    execution = json.dumps(big_execution())
    servers = big_servers()
    timeline = big_timeline()
    prefix = f"**/api/v1/executions/{BENCH_EXECUTION}"
    page.route(prefix, lambda r: r.fulfill(content_type="application/json", body=execution))
    page.route(f"{prefix}/servers*", lambda r: _servers_page(r, servers))
    page.route(f"{prefix}/timeline", lambda r: _fulfil(r, timeline))
    page.route(f"{prefix}/events*", lambda r: _fulfil(r, {"items": [], "next_cursor": None}))
    page.route(f"{prefix}/stream", lambda r: _fulfil(r, {"title": "none"}, status=404))


_READY_JS = """() =>
  Boolean(document.querySelector('[data-testid="execution-status"]')) &&
  document.querySelectorAll('[data-testid="gantt"] rect').length > 0 &&
  document.querySelectorAll("table tbody tr").length >= 25"""

# Navigate inside the app (no reload) and wait until the detail page has drawn everything.
_RENDER_JS = """
async (id) => {
  const t0 = performance.now();
  history.pushState({}, "", `/executions/${id}`);
  dispatchEvent(new PopStateEvent("popstate"));
  await new Promise((done) => {
    const ready = () =>
      document.querySelector('[data-testid="execution-status"]') &&
      document.querySelectorAll('[data-testid="gantt"] rect').length > 0 &&
      document.querySelectorAll('table tbody tr').length >= 25;
    const check = () => (ready() ? done() : requestAnimationFrame(check));
    check();
  });
  return performance.now() - t0;
}
"""


_HOME_JS = "() => { history.pushState({}, '', '/'); dispatchEvent(new PopStateEvent('popstate')); }"


def render_times(page: Page, base_url: str, runs: int = 5) -> dict[str, float]:
    """Milliseconds from in-app navigation to a drawn 1,000-server detail page."""
    serve_big_execution(page)
    page.goto(f"{base_url}/executions")
    page.wait_for_load_state("networkidle")
    samples = []
    for _ in range(runs):
        page.evaluate(_HOME_JS)
        page.wait_for_timeout(200)
        samples.append(float(page.evaluate(_RENDER_JS, BENCH_EXECUTION)))
    first = samples[0]
    samples.sort()
    # Cold: a fresh page load of the detail URL, from navigation start to the drawn page.
    page.goto(f"{base_url}/executions/{BENCH_EXECUTION}")
    page.wait_for_function(_READY_JS, polling="raf")
    cold = float(page.evaluate("() => performance.now()"))
    return {
        "first_ms": first,
        "median_ms": samples[len(samples) // 2],
        "max_ms": samples[-1],
        "cold_load_ms": cold,
    }


def report(sizes: dict[str, int], render: dict[str, float]) -> str:
    """The figures as a short printable block."""
    return (
        f"UI bundle: {sizes['files']} files, {sizes['raw_bytes'] / 1024:.0f} KiB raw, "
        f"{sizes['gzip_bytes'] / 1024:.0f} KiB gzipped (target <= 1024 KiB)\n"
        f"Execution detail, 1,000 servers: first {render['first_ms']:.0f} ms, "
        f"median {render['median_ms']:.0f} ms, max {render['max_ms']:.0f} ms (target <= 500 ms); "
        f"cold page load to drawn page {render['cold_load_ms']:.0f} ms"
    )


def sign_in(page: Page, base: str, username: str, password: str, path: str = "/") -> None:
    """Open the console at `path` and sign in through its sign-in page, as a person would."""
    page.goto(f"{base}{path}")
    expect(page.get_by_role("heading", name="Sign in to drorch")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=re.compile("^User menu: "))).to_be_visible()
