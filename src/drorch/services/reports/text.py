"""Wording shared by the renderers: times, durations and verdicts as people read them."""

from __future__ import annotations

from datetime import datetime

from drorch.services.reports.model import ExecutionReport


def when(moment: datetime | None) -> str:
    """A UTC timestamp to the second, or a dash."""
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "-"


def span(seconds: float | None) -> str:
    """`1 h 02 min 05 s`, `3 min 04 s`, `12.5 s`, or a dash."""
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min {secs:02d} s"
    return f"{minutes} min {secs:02d} s"


def rto_verdict(report: ExecutionReport) -> str:
    """Met, missed, or why it is not judged."""
    if report.rto_target_minutes is None:
        return "no RTO target set"
    if report.within_rto is None:
        if report.rto_achieved_seconds is None:
            return "not judged: no server launched"
        return f"not judged: the execution ended {report.status}, not COMPLETED"
    return "met" if report.within_rto else "missed"


def title(report: ExecutionReport) -> str:
    """The report's title."""
    kind = "Drill" if report.type == "DRILL" else "Recovery"
    return f"{kind} report: {report.plan_name} ({report.execution_id})"


SERVER_HEAD = [
    "Wave",
    "Host",
    "Source server",
    "Account / Region",
    "Result",
    "DRS job",
    "Recovery instance",
    "EC2 instance",
    "Took",
    "Error",
]
RESULT, RECOVERY_INSTANCE = 4, 6  # columns a renderer dresses up or leaves out


def server_rows(report: ExecutionReport) -> list[list[str]]:
    """The servers table's cells (SERVER_HEAD's columns), shared by the HTML and PDF reports."""
    return [
        [
            s.wave,
            s.hostname or "-",
            s.source_server_id,
            f"{s.account_id} / {s.region}",
            s.launch_status or s.status,
            s.job_id or "-",
            s.recovery_instance_id or "-",
            s.ec2_instance_id or "-",
            span(s.seconds),
            s.error or "",
        ]
        for s in report.servers
    ]


STEP_HEAD = ["Wave", "Action", "Type", "Status", "Started", "Took", "What it changed", "Undo"]


def step_rows(report: ExecutionReport) -> list[list[str]]:
    """The actions table's cells, shared by the HTML and PDF reports."""
    return [
        [
            s.wave,
            f"{s.name} ({s.phase})",
            s.type,
            s.status + (f" by {s.decided_by}" if s.decided_by else ""),
            when(s.started_at),
            span(
                (s.ended_at - s.started_at).total_seconds() if s.started_at and s.ended_at else None
            ),
            _facts(s.changed) or (s.error or _facts(s.output) or s.comment or "-"),
            s.undo or "-",
        ]
        for s in report.steps
    ]


def _took(started: datetime | None, ended: datetime | None) -> float | None:
    return (ended - started).total_seconds() if started and ended else None


def _facts(values: dict[str, object]) -> str:
    """`key=value` pairs of a step's record, short enough for a table cell."""
    text = ", ".join(f"{k}={v}" for k, v in sorted(values.items()))
    return text if len(text) <= 160 else text[:157] + "..."
