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
