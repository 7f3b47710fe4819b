"""What `drorch exec start` says of a preflight: the refusal line, the --dry-run view."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Group, RenderableType

from drorch.cli.follow import EXECUTIONS
from drorch.cli.http import ApiClient
from drorch.cli.output import EXIT_OK, EXIT_REFUSED, details, show, table

UNHEALTHY = "replication-unhealthy"


def refusal_line(plan: str, conflicts: list[Any]) -> str:
    """`cannot start …: reason; reason (pass --allow-unhealthy …)`: the CLI's words, one line."""
    reasons = "; ".join(finding_text(c) for c in conflicts)
    hint = ""
    if any(isinstance(c, dict) and c.get("reason") == UNHEALTHY for c in conflicts):
        hint = " (pass --allow-unhealthy to start despite unhealthy replication)"
    return f"cannot start plan {plan!r}: {reasons}{hint}"


def finding_text(finding: Any, *, accepted: bool = False) -> str:
    """A preflight finding in CLI terms: the API's `allow_unhealthy` hint becomes the flag."""
    if not isinstance(finding, dict):
        return str(finding)
    if finding.get("reason") == UNHEALTHY and finding.get("source_server_id"):
        state = f"{finding['source_server_id']} replication is {finding.get('replication_state')}"
        return f"{state} (accepted by --allow-unhealthy)" if accepted else state
    text = finding.get("message") or finding.get("detail") or finding.get("reason")
    return str(text) if text else json.dumps(finding, sort_keys=True)


def show_preflight(client: ApiClient, body: dict[str, Any], *, as_json: bool) -> int:
    """Show what the server's preflight says of a start; 0 when it would be accepted, else 1."""
    report: dict[str, Any] = client.post(f"{EXECUTIONS}/preflight", body).data
    show(report, as_json=as_json, render=preflight_view)
    return EXIT_OK if report["ok"] else EXIT_REFUSED


def preflight_view(report: dict[str, Any]) -> RenderableType:
    """The verdict, the waves a start would run, then every blocker and warning."""
    reasons, warnings = report["reasons"], report["warnings"]
    verdict = (
        "ok: a start would be accepted"
        if report["ok"]
        else (f"blocked: {len(reasons)} reason(s) a start would be refused")
    )
    fields = details(
        [
            ("plan", f"{report['plan_name']} ({report['plan_id']})"),
            ("type", report["type"]),
            ("preflight", verdict),
            ("servers", report["server_count"]),
        ]
    )
    wave_keys = ("name", "depends_on", "pause_before", "server_count", "job_count")
    waves = table(
        ["WAVE", "DEPENDS ON", "PAUSE BEFORE", "SERVERS", "DRS JOBS"],
        [[w.get(k) for k in wave_keys] for w in report["waves"]],
        title="Waves",
    )
    rows = [("blocker", r["reason"], finding_text(r)) for r in reasons]
    rows += [("warning", w["reason"], finding_text(w, accepted=True)) for w in warnings]
    parts: list[RenderableType] = [fields, waves]
    parts.append(table(["SEVERITY", "CHECK", "MESSAGE"], rows, title="Checks"))
    if any(r["reason"] == UNHEALTHY for r in reasons):
        parts.append("pass --allow-unhealthy to start despite unhealthy replication")
    return Group(*parts)
