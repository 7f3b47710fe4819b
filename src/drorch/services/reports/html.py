"""The report as one self-contained HTML file: inline CSS and SVG, no script, printable."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from drorch import __version__
from drorch.services.reports.model import ExecutionReport
from drorch.services.reports.text import (
    RESULT,
    SERVER_HEAD,
    STEP_HEAD,
    rto_verdict,
    server_rows,
    span,
    step_rows,
    title,
    when,
)
from drorch.services.reports.timeline import bars, time_axis

CSS = """
body { font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #16191f;
       margin: 2rem auto; max-width: 1100px; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .2rem; } h2 { font-size: 1.1rem; margin-top: 1.8rem;
     border-bottom: 1px solid #d5dbdb; padding-bottom: .2rem; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0; }
th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid #eaeded;
         vertical-align: top; }
th { background: #f2f3f3; } td.num { text-align: right; white-space: nowrap; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; }
dt { font-weight: 600; } dd { margin: 0; }
.status-FAILED, .status-PARTIAL, .bad { color: #d13212; font-weight: 600; }
.status-COMPLETED, .status-LAUNCHED, .good { color: #1d8102; font-weight: 600; }
.muted { color: #5f6b7a; } code { font-size: 12px; }
svg text { font-size: 11px; fill: #16191f; }
@media print { body { margin: 0; max-width: none; font-size: 10.5px; }
  h2 { break-after: avoid; } tr, svg { break-inside: avoid; } a { color: inherit; } }
"""
ROW = 18
LABEL_WIDTH = 180
CHART_WIDTH = 720


def render_html(report: ExecutionReport) -> str:
    """The whole report as an HTML document."""
    parts = [
        _summary(report),
        _plan(report),
        _waves(report),
        _timeline(report),
        _servers(report),
        _steps(report),
        _acts(report),
        _readiness(report),
        _cleanup(report),
        _events(report),
    ]
    head = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title(report))}</title><style>{CSS}</style></head><body>"
    )
    footer = (
        f'<p class="muted">Generated {escape(when(report.generated_at))} by drorch '
        f"{escape(__version__)}.</p>"
    )
    return head + f"<h1>{escape(title(report))}</h1>" + "".join(parts) + footer + "</body></html>"


def _summary(r: ExecutionReport) -> str:
    verdict = rto_verdict(r)
    css = "good" if verdict == "met" else "bad" if verdict == "missed" else "muted"
    target = f"{r.rto_target_minutes} min" if r.rto_target_minutes else "-"
    items = [
        (
            "Status",
            f'<span class="status-{escape(r.status)}" id="status">{escape(r.status)}</span>',
        ),
        ("Type", escape(r.type)),
        ("Started by", escape(r.started_by)),
        ("Requested", escape(when(r.created_at))),
        ("Started", escape(when(r.started_at))),
        ("Ended", escape(when(r.ended_at))),
        ("Duration", escape(span(r.duration_seconds))),
        ("RTO target", f'<span id="rto-target">{escape(target)}</span>'),
        ("RTO achieved", f'<span id="rto-achieved">{escape(span(r.rto_achieved_seconds))}</span>'),
        ("Paused (not counted)", escape(span(r.paused_seconds))),
        ("RTO verdict", f'<span class="{css}" id="rto-verdict">{escape(verdict)}</span>'),
    ]
    return '<h2 id="summary">Summary</h2>' + _dl(items)


def _plan(r: ExecutionReport) -> str:
    items = [
        ("Plan", f"{escape(r.plan_name)} <code>{escape(r.plan_id)}</code>"),
        ("Description", escape(r.plan_description) or '<span class="muted">none</span>'),
        ("Waves run", escape(", ".join(r.selected_waves))),
        ("Servers", str(len(r.servers))),
    ]
    rows = [
        [
            w.name,
            ", ".join(w.groups),
            ", ".join(w.depends_on) or "-",
            "yes" if w.pause_before else "no",
        ]
        for w in r.waves
    ]
    snapshot = _table(["Wave", "Protection groups", "Depends on", "Pause before"], rows)
    return '<h2 id="plan">Plan (snapshot taken at the start)</h2>' + _dl(items) + snapshot


def _waves(r: ExecutionReport) -> str:
    rows = [
        [
            w.name,
            _status(w.status),
            when(w.started_at),
            when(w.ended_at),
            span(w.seconds),
            str(w.servers),
            str(w.launched),
            str(w.failed),
        ]
        for w in r.waves
    ]
    head = ["Wave", "Status", "Started", "Ended", "Took", "Servers", "Launched", "Failed"]
    return '<h2 id="waves">Waves</h2>' + _table(head, rows, raw={1})


def _timeline(r: ExecutionReport) -> str:
    found = bars(r)
    axis = time_axis(r)
    if not found or axis is None:
        return '<h2 id="timeline">Timeline</h2><p class="muted">Nothing launched yet.</p>'
    height = ROW * len(found) + 24
    width = LABEL_WIDTH + CHART_WIDTH + 10
    shapes = []
    for i, bar in enumerate(found):
        y = 4 + i * ROW
        x = LABEL_WIDTH + bar.start * CHART_WIDTH
        w = max(2.0, (bar.end - bar.start) * CHART_WIDTH)
        weight = ' font-weight="600"' if bar.wave else ""
        shapes.append(
            f'<text x="{LABEL_WIDTH - 6}" y="{y + 12}" text-anchor="end"{weight}>'
            f"{escape(bar.label)}</text>"
            f'<rect x="{x:.1f}" y="{y + 2}" width="{w:.1f}" height="{ROW - 6}" '
            f'fill="{bar.colour}"><title>{escape(bar.label)}</title></rect>'
        )
    base = height - 18
    line = (
        f'<line x1="{LABEL_WIDTH}" y1="{base}" x2="{LABEL_WIDTH + CHART_WIDTH}" y2="{base}" '
        'stroke="#5f6b7a"/>'
    )
    ends = (
        f'<text x="{LABEL_WIDTH}" y="{height - 4}">{escape(when(axis[0]))}</text>'
        f'<text x="{LABEL_WIDTH + CHART_WIDTH}" y="{height - 4}" text-anchor="end">'
        f"{escape(when(axis[1]))}</text>"
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="timeline" '
        f'width="100%" viewBox="0 0 {width} {height}">{"".join(shapes)}{line}{ends}</svg>'
    )
    legend = (
        '<p class="muted">Grey: waves. Green: launched. Red: failed. '
        "Bars run from the launch request to its end.</p>"
    )
    return '<h2 id="timeline">Timeline</h2>' + svg + legend


def _servers(r: ExecutionReport) -> str:
    rows = server_rows(r)
    for row in rows:
        row[RESULT] = _status(row[RESULT])
    return '<h2 id="servers">Servers</h2>' + _table(
        SERVER_HEAD, rows, raw={RESULT}, row_ids=[s.source_server_id for s in r.servers]
    )


def _steps(r: ExecutionReport) -> str:
    if not r.steps:
        return '<h2 id="actions">Actions</h2><p class="muted">The plan ran no actions.</p>'
    return '<h2 id="actions">Actions</h2>' + _table(STEP_HEAD, step_rows(r))


def _acts(r: ExecutionReport) -> str:
    if not r.acts:
        return '<h2 id="people">Who acted</h2><p class="muted">No one acted on this execution.</p>'
    rows = [
        [when(a.at), a.who, a.role or "-", a.action, a.outcome, a.comment or ""] for a in r.acts
    ]
    head = ["When", "Who", "Role", "Action", "Outcome", "Comment"]
    return '<h2 id="people">Who acted</h2>' + _table(head, rows)


def _readiness(r: ExecutionReport) -> str:
    ready = r.readiness
    unhealthy = ready.unhealthy
    summary = (
        f"<p>{len(ready.replication) - len(unhealthy)} of {len(ready.replication)} servers "
        "had healthy (CONTINUOUS) replication when the execution started.</p>"
    )
    rows = [[sid, host or "-", state] for sid, host, state in unhealthy]
    table = _table(["Source server", "Host", "Replication at start"], rows) if rows else ""
    findings = "".join(f"<li>{escape(f)}</li>" for f in ready.findings)
    recorded = (
        f"<p>Findings recorded at the start:</p><ul>{findings}</ul>"
        if findings
        else (
            '<p class="muted">No readiness or preflight findings were recorded with the start.</p>'
        )
    )
    return '<h2 id="readiness">Readiness at start</h2>' + summary + table + recorded


def _cleanup(r: ExecutionReport) -> str:
    c = r.cleanup
    leftovers = ", ".join(c.leftovers) if c.leftovers else "none"
    items = [
        ("Cleanup", f'<span id="cleanup-status">{escape(c.status)}</span>'),
        ("Started", escape(when(c.started_at))),
        ("Terminate jobs", escape(", ".join(c.terminate_jobs) or "-")),
        ("Left behind", f'<span id="leftovers">{escape(leftovers)}</span>'),
    ]
    return '<h2 id="cleanup">Cleanup</h2>' + _dl(items)


def _events(r: ExecutionReport) -> str:
    rows = [[str(e.seq), when(e.at), e.actor, e.kind, e.message, e.comment or ""] for e in r.events]
    head = ["#", "When", "Actor", "Event", "Message", "Comment"]
    return '<h2 id="events">Event log</h2>' + _table(head, rows)


def _status(value: str) -> str:
    return f'<span class="status-{escape(value)}">{escape(value)}</span>'


def _dl(items: Iterable[tuple[str, str]]) -> str:
    """A definition list; values are HTML already."""
    return "<dl>" + "".join(f"<dt>{escape(k)}</dt><dd>{v}</dd>" for k, v in items) + "</dl>"


def _table(
    head: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    raw: set[int] | None = None,
    row_ids: Sequence[str] | None = None,
) -> str:
    """A table; cells are escaped except the columns in `raw` (HTML already)."""
    raw = raw or set()
    header = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = []
    for i, row in enumerate(rows):
        cells = "".join(f"<td>{c if j in raw else escape(c)}</td>" for j, c in enumerate(row))
        ident = f' id="server-{escape(row_ids[i])}"' if row_ids else ""
        body.append(f"<tr{ident}>{cells}</tr>")
    return f"<table><thead><tr>{header}</tr></thead><tbody>{''.join(body)}</tbody></table>"
