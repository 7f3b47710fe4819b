"""Execution reports (HTML parsed, PDF text extracted) and the history export, over HTTP."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from drorch.cli.main import app
from drorch.domain.identity import Role
from drorch.services.reports.text import span
from tests.integration.conftest import problem
from tests.integration.executions.conftest import EXECUTIONS, FailedDrill, Lab
from tests.support.server import api_client, ensure_user, sign_in


class Page(HTMLParser):
    """The parts of an HTML report the tests read: text by id, table rows by section, tags."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.by_id: dict[str, str] = {}
        self.rows: dict[str, list[list[str]]] = {}
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self._open: list[tuple[str, str | None]] = []
        self._section = ""
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        if tag == "h2":
            self._section = found.get("id") or ""
        if tag == "tr":
            self._row = []
        if tag in ("td", "th"):
            self._cell = []
        self._open.append((tag, found.get("id")))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        if tag == "tr" and self._row is not None:
            self.rows.setdefault(self._section, []).append(self._row)
            self._row = None
        while self._open:
            if self._open.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        for _, ident in self._open:
            if ident:
                self.by_id[ident] = self.by_id.get(ident, "") + data

    def table(self, section: str) -> list[dict[str, str]]:
        """A section's table as dicts keyed by its header row."""
        head, *rows = self.rows[section]
        return [dict(zip(head, row, strict=True)) for row in rows]


def servers_of(lab: Lab, execution: dict[str, Any]) -> list[dict[str, Any]]:
    """Every server of the execution, paged through the API (the header lists none)."""
    return lab.servers(execution["id"])


def events_of(lab: Lab, execution_id: str) -> list[dict[str, Any]]:
    response = lab.http.get(f"{EXECUTIONS}/{execution_id}/events", params={"limit": 500})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


@pytest.fixture(scope="module")
def html_report(lab: Lab, failed_drill: FailedDrill) -> Page:
    response = lab.http.get(f"{EXECUTIONS}/{failed_drill.execution['id']}/report")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src" not in response.headers["content-security-policy"]
    return Page(response.text)


def test_the_html_report_states_the_runs_facts(
    lab: Lab, failed_drill: FailedDrill, html_report: Page
) -> None:
    execution = failed_drill.execution
    page = html_report
    assert page.by_id["status"] == execution["status"] and execution["status"] != "COMPLETED"
    assert page.by_id["rto-target"] == "90 min"
    assert page.by_id["rto-achieved"] == span(execution["timings"]["rto_achieved_seconds"])
    assert page.by_id["rto-verdict"].startswith("not judged")
    rows = {row["Source server"]: row for row in page.table("servers")}
    assert set(rows) == {s["source_server_id"] for s in servers_of(lab, execution)}
    for server in servers_of(lab, execution):
        row = rows[server["source_server_id"]]
        assert row["Result"] == (server["launch_status"] or server["status"])
        assert row["EC2 instance"] == (server["ec2_instance_id"] or "-")
        assert row["DRS job"] == (server["job_id"] or "-")
    failed = rows[failed_drill.failed_server]
    assert failed["Result"] == "FAILED" and failed["Error"]
    waves = {w["Wave"]: w for w in page.table("waves")}
    assert {name: w["Status"] for name, w in waves.items()} == {
        w["name"]: w["status"] for w in execution["waves"]
    }
    assert waves["data"]["Failed"] == "1"


def test_the_html_report_names_who_acted_with_their_comments(
    failed_drill: FailedDrill, html_report: Page
) -> None:
    acts = html_report.table("people")
    by_action = {a["Action"]: a for a in acts}
    assert by_action["execution.start"]["Comment"] == "weekly drill"
    assert by_action["execution.pause"]["Comment"] == "checking the db wave"
    assert by_action["execution.resume"]["Comment"] == "looks fine"
    assert "execution.terminate_instances" in by_action
    assert {a["Who"] for a in acts} == {"admin"} and {a["Role"] for a in acts} == {"admin"}


def test_the_html_report_holds_timeline_readiness_cleanup_and_every_event(
    lab: Lab, failed_drill: FailedDrill, html_report: Page
) -> None:
    execution = failed_drill.execution
    page = html_report
    started = [s for s in servers_of(lab, execution) if s["started_at"]]
    waves = [w for w in execution["waves"] if w["started_at"]]
    bars = [attrs for tag, attrs in page.tags if tag == "rect"]
    assert len(bars) == len(started) + len(waves)
    # One file: nothing is fetched from anywhere, nothing runs.
    assert not [t for t, a in page.tags if t in ("script", "link", "img", "iframe")]
    assert not [
        a
        for _, a in page.tags
        if any((v or "").startswith("http") for k, v in a.items() if k in ("src", "href"))
    ]
    unhealthy = page.table("readiness")
    # The drill needed allow_unhealthy: some server's replication was not CONTINUOUS.
    assert unhealthy and {r["Replication at start"] for r in unhealthy} - {"CONTINUOUS"}
    ids = {s["source_server_id"] for s in servers_of(lab, execution)}
    assert {r["Source server"] for r in unhealthy} <= ids
    assert page.by_id["cleanup-status"] == execution["cleanup_status"]
    assert page.by_id["leftovers"] == (", ".join(execution["leftovers"]) or "none")
    events = events_of(lab, execution["id"])
    logged = page.table("events")
    assert [(e["#"], e["Event"]) for e in logged] == [(str(e["seq"]), e["kind"]) for e in events]


def test_the_pdf_report_carries_the_same_facts(lab: Lab, failed_drill: FailedDrill) -> None:
    execution = failed_drill.execution
    response = lab.http.get(f"{EXECUTIONS}/{execution['id']}/report", params={"format": "pdf"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    assert execution["id"] in flat and execution["status"] in flat
    assert "RTO target 90 min" in flat
    assert failed_drill.failed_server in flat
    for server in servers_of(lab, execution):
        if server["ec2_instance_id"]:
            assert server["ec2_instance_id"] in flat
    for comment in ("weekly drill", "checking the db wave", "looks fine"):
        assert comment in flat
    assert "Timeline" in flat and "Event log" in flat


def test_reports_need_a_token_a_viewer_may_read_them_and_unknown_ids_are_404(
    lab: Lab, failed_drill: FailedDrill
) -> None:
    path = f"{EXECUTIONS}/{failed_drill.execution['id']}/report"
    assert httpx.get(f"{lab.url}{path}").status_code == 401
    assert httpx.get(f"{lab.url}{EXECUTIONS}/export").status_code == 401
    viewer = ensure_user(lab.server.data_dir, "report-reader", Role.VIEWER)
    with api_client(lab.server, token=sign_in(lab.url, viewer)) as http:
        assert http.get(path, params={"format": "pdf"}).status_code == 200
        assert http.get(f"{EXECUTIONS}/export").status_code == 200
    problem(lab.http.get(f"{EXECUTIONS}/ex-000000000000/report"), 404)
    problem(lab.http.get(path, params={"format": "doc"}), 422)
    problem(lab.http.get(f"{EXECUTIONS}/export", params={"format": "xml"}), 422)


def exported(lab: Lab, **params: str) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    """The CSV and the JSON export for the same filters."""
    as_csv = lab.http.get(f"{EXECUTIONS}/export", params={**params, "format": "csv"})
    as_json = lab.http.get(f"{EXECUTIONS}/export", params={**params, "format": "json"})
    assert as_csv.status_code == as_json.status_code == 200, as_csv.text
    assert as_csv.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(as_csv.text))), as_json.json()["items"]


def csv_text(value: Any) -> str:
    """How the CSV export writes a JSON value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(value)
    return str(value)


def listed(lab: Lab, **params: str) -> list[str]:
    response = lab.http.get(EXECUTIONS, params={**params, "limit": 500})
    return [e["id"] for e in response.json()["items"]]


def test_the_export_round_trips_and_filters_like_the_list(
    lab: Lab, failed_drill: FailedDrill
) -> None:
    execution = failed_drill.execution
    rows, items = exported(lab, plan_id=failed_drill.plan["id"])
    assert [r["id"] for r in rows] == [i["id"] for i in items] == [execution["id"]]
    row, item = rows[0], items[0]
    for key, value in item.items():
        assert row[key] == csv_text(value), key
    assert item["status"] == execution["status"] and item["servers_failed"] == 1
    assert item["rto_target_minutes"] == 90 and item["started_by"] == "admin"
    for filters in ({"status": execution["status"]}, {"type": "DRILL"}, {}):
        rows, items = exported(lab, **filters)
        assert [r["id"] for r in rows] == [i["id"] for i in items] == listed(lab, **filters)
    assert execution["id"] not in [i["id"] for i in exported(lab, type="RECOVERY")[1]]


@pytest.fixture
def cli(lab: Lab) -> Iterator[Any]:
    runner = CliRunner()

    def run(*args: str) -> Any:
        env = {"DRORCH_TOKEN": lab.server.token}
        return runner.invoke(app, [*args, "--api-url", lab.url], env=env)

    yield run


def test_the_cli_writes_reports_and_exports(
    cli: Any, failed_drill: FailedDrill, tmp_path: Path
) -> None:
    execution_id = failed_drill.execution["id"]
    pdf, html = tmp_path / "r.pdf", tmp_path / "r.html"
    assert cli("exec", "report", execution_id, "-o", str(pdf)).exit_code == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    assert cli("exec", "report", execution_id, "-o", str(html)).exit_code == 0
    assert Page(html.read_text()).by_id["status"] == failed_drill.execution["status"]
    wrong = cli("exec", "report", execution_id, "-o", str(tmp_path / "r.doc"))
    assert wrong.exit_code == 2 and wrong.stderr.startswith("error: ")
    missing = cli("exec", "report", "ex-000000000000", "-o", str(pdf))
    assert missing.exit_code == 1 and len(missing.stderr.strip().splitlines()) == 1
    ran = cli("exec", "export", "--format", "csv", "--plan", failed_drill.plan["id"])
    assert ran.exit_code == 0, ran.stderr
    assert [r["id"] for r in csv.DictReader(io.StringIO(ran.stdout))] == [execution_id]
