"""How `drorch exec` shows an execution: its header, wave counts, server and job pages.

Durations are measured here from the API's timestamps: the API sends none that move with
the clock, so an unchanged execution reads the same every time.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from rich.console import Group, RenderableType

from drorch.cli.launch_view import launch_settings_table
from drorch.cli.output import details, duration_text, table

SERVER_COLUMNS = (
    ("WAVE", "wave"),
    ("SERVER", "source_server_id"),
    ("HOSTNAME", "hostname"),
    ("STATUS", "status"),
    ("JOB", "job_id"),
    ("RECOVERY INSTANCE", "recovery_instance_id"),
    ("EC2", "ec2_instance_id"),
)
JOB_COLUMNS = (
    ("JOB", "job_id"),
    ("KIND", "kind"),
    ("WAVE", "wave"),
    ("DRS STATUS", "job_status"),
    ("STATE", "state"),
    ("SERVERS", "source_server_ids"),
)


def execution_view(ex: dict[str, Any]) -> RenderableType:
    """One execution: its fields, then a row per wave with its servers counted by status."""
    timings = ex.get("timings") or {}
    jobs = ex.get("jobs") or {}
    fields = details(
        [
            ("execution", f"{ex['id']}: {ex['type']} of {ex['plan_name']} ({ex['plan_id']})"),
            ("status", f"{ex['status']} (cleanup {ex['cleanup_status']})"),
            ("started", f"{ex.get('started_at') or '-'} by {ex.get('started_by')}"),
            ("ended", ex.get("ended_at")),
            ("duration", duration_text(elapsed_seconds(ex))),
            ("RTO achieved", rto_text(timings)),
            ("paused", duration_text(paused_seconds(timings))),
            ("within RTO", timings.get("within_rto")),
            ("servers", f"{ex.get('server_count', 0)}: {counts_text(ex.get('counts'))}"),
            ("DRS jobs", f"{jobs.get('total', 0)} ({jobs.get('open', 0)} open)"),
            ("left behind", ex.get("leftovers")),
        ]
    )
    rows = [
        [w["name"], w["status"], w["server_count"], counts_text(w.get("counts")), w["started_at"]]
        for w in ex["waves"]
    ]
    waves = table(["WAVE", "STATUS", "SERVERS", "BY STATUS", "STARTED"], rows, title="Waves")
    hint = f"servers: drorch exec servers {ex['id']} · DRS jobs: drorch exec jobs {ex['id']}"
    steps = steps_table(ex)
    return Group(fields, waves, hint) if steps is None else Group(fields, waves, steps, hint)


STEP_HEADERS = ["WAVE", "STEP", "TYPE", "PHASE", "STATUS", "ATTEMPTS", "RESULT"]


def steps_table(ex: dict[str, Any]) -> RenderableType | None:
    """A row per action step of every wave (None when the plan has no actions)."""
    rows = [
        [w["name"], s["name"], s["type"], s["phase"], s["status"], s["attempts"], step_result(s)]
        for w in ex["waves"]
        for s in w.get("steps") or []
    ]
    return table(STEP_HEADERS, rows, title="Steps") if rows else None


def step_result(step: dict[str, Any]) -> str:
    """What a step came to: its error, the approver, an undo's fate, or `-`."""
    parts = []
    if step.get("awaiting_approval"):
        parts.append(f"awaiting approval: drorch exec approve ID {step['name']}")
    if step.get("error"):
        parts.append(f"{step.get('error_code')}: {step['error']}")
    elif step.get("decided_by"):
        parts.append(f"approved by {step['decided_by']}")
    if step.get("comment"):
        parts.append(f'"{step["comment"]}"')
    undo = step.get("undo")
    if undo:
        parts.append(f"undo {undo['status']}" + (f": {undo['error']}" if undo.get("error") else ""))
    return "; ".join(parts) or "-"


def servers_table(page: dict[str, Any]) -> RenderableType:
    """A page of an execution's servers, then the launch settings of those that launched."""
    servers = table([c for c, _ in SERVER_COLUMNS], _rows(page["items"], SERVER_COLUMNS))
    settings = launch_settings_table(page["items"])
    return servers if settings is None else Group(servers, settings)


def jobs_table(page: dict[str, Any]) -> RenderableType:
    """A page of an execution's DRS jobs."""
    return table([c for c, _ in JOB_COLUMNS], _rows(page["items"], JOB_COLUMNS))


def counts_text(counts: dict[str, int] | None) -> str:
    """`3 LAUNCHED · 1 FAILED`, or `-` when there are none."""
    return " · ".join(f"{n} {status}" for status, n in (counts or {}).items()) or "-"


def elapsed_seconds(ex: dict[str, Any], now: datetime | None = None) -> float | None:
    """Start to end, or to now while the execution runs; None before it started."""
    started = _time(ex.get("started_at"))
    if started is None:
        return None
    ended = _time(ex.get("ended_at")) or now or datetime.now(UTC)
    return max(0.0, (ended - started).total_seconds())


def paused_seconds(timings: dict[str, Any], now: datetime | None = None) -> float | None:
    """Time spent paused, counting a pause that still lasts up to now."""
    if "paused_seconds" not in timings:
        return None
    since = _time(timings.get("paused_since"))
    lasting = ((now or datetime.now(UTC)) - since).total_seconds() if since else 0.0
    return float(timings["paused_seconds"]) + max(0.0, lasting)


def rto_text(timings: dict[str, Any]) -> str | None:
    """RTO achieved (paused time left out) and the plan's target, e.g. `1m 12s (target 60m)`."""
    achieved = duration_text(timings.get("rto_achieved_seconds"))
    target = timings.get("rto_minutes")
    if achieved is None or target is None:
        return achieved
    return f"{achieved} (target {target}m)"


def _time(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) and value else None


def _rows(items: Iterable[dict[str, Any]], columns: tuple[tuple[str, str], ...]) -> list[Any]:
    return [[item.get(key) for _, key in columns] for item in items]
