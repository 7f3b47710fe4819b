"""The bars of a report's timeline picture: one per wave and per launched server."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from drorch.services.reports.model import ExecutionReport

# What a bar's colour says; the HTML and PDF renderers share it.
COLOURS = {
    "wave": "#5f6b7a",
    "LAUNCHED": "#1d8102",
    "FAILED": "#d13212",
    "other": "#8d99a8",
}


@dataclass(frozen=True)
class Bar:
    """A labelled span as fractions (0..1) of the execution's time axis."""

    label: str
    start: float
    end: float
    colour: str
    wave: bool


def time_axis(report: ExecutionReport) -> tuple[datetime, datetime] | None:
    """The first and last moment the picture shows, or None before anything started."""
    starts = [w.started_at for w in report.waves if w.started_at]
    starts += [s.started_at for s in report.servers if s.started_at]
    if not starts:
        return None
    ends = [w.ended_at for w in report.waves if w.ended_at]
    ends += [s.ended_at for s in report.servers if s.ended_at and s.started_at]
    first = min(starts)
    last = max([*ends, report.ended_at or report.generated_at, first])
    return first, last


def bars(report: ExecutionReport) -> list[Bar]:
    """Each wave, followed by its servers that started a launch."""
    axis = time_axis(report)
    if axis is None:
        return []
    first, last = axis
    span = max((last - first).total_seconds(), 1e-9)

    def at(moment: datetime | None) -> float:
        moment = moment or last
        return min(1.0, max(0.0, (moment - first).total_seconds() / span))

    found: list[Bar] = []
    for wave in report.waves:
        if wave.started_at is None:
            continue
        found.append(
            Bar(f"wave {wave.name}", at(wave.started_at), at(wave.ended_at), COLOURS["wave"], True)
        )
        for server in report.servers:
            if server.wave != wave.name or server.started_at is None:
                continue
            colour = COLOURS.get(server.launch_status or "", COLOURS["other"])
            label = server.hostname or server.source_server_id
            found.append(Bar(label, at(server.started_at), at(server.ended_at), colour, False))
    return found
