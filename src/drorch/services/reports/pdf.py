"""The report as a PDF (fpdf2, pure Python): the same sections, the timeline as drawn bars."""

from __future__ import annotations

from collections.abc import Sequence

from fpdf import FPDF
from fpdf.fonts import FontFace

from drorch import __version__
from drorch.services.reports.model import ExecutionReport
from drorch.services.reports.text import (
    RECOVERY_INSTANCE,
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

FONT = "Helvetica"
LABEL_MM = 45
HEADINGS = FontFace(emphasis="BOLD", fill_color=(242, 243, 243))


def render_pdf(report: ExecutionReport) -> bytes:
    """The whole report as PDF bytes (A4 landscape)."""
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(_latin(title(report)))
    pdf.set_creator(f"drorch {__version__}")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font(FONT, "B", 15)
    pdf.cell(0, 9, _latin(title(report)), new_x="LMARGIN", new_y="NEXT")
    _summary(pdf, report)
    _plan(pdf, report)
    _waves(pdf, report)
    _timeline(pdf, report)
    _servers(pdf, report)
    _steps(pdf, report)
    _acts(pdf, report)
    _readiness(pdf, report)
    _cleanup(pdf, report)
    _events(pdf, report)
    pdf.set_font(FONT, "", 8)
    pdf.cell(0, 6, _latin(f"Generated {when(report.generated_at)} by drorch {__version__}."))
    return bytes(pdf.output())


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font(FONT, "B", 12)
    pdf.cell(0, 7, _latin(text), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)


def _pairs(pdf: FPDF, items: Sequence[tuple[str, str]]) -> None:
    for key, value in items:
        pdf.set_font(FONT, "B", 9)
        pdf.cell(LABEL_MM, 5, _latin(key))
        pdf.set_font(FONT, "", 9)
        pdf.multi_cell(0, 5, _latin(value), new_x="LMARGIN", new_y="NEXT")


def _table(
    pdf: FPDF, head: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[int]
) -> None:
    if not rows:
        pdf.cell(0, 5, "none", new_x="LMARGIN", new_y="NEXT")
        return
    pdf.set_font(FONT, "", 8)
    with pdf.table(col_widths=tuple(widths), headings_style=HEADINGS, line_height=4.5) as table:
        for row in [head, *rows]:
            cells = table.row()
            for value in row:
                cells.cell(_latin(value))
    pdf.set_font(FONT, "", 9)


def _summary(pdf: FPDF, r: ExecutionReport) -> None:
    _heading(pdf, "Summary")
    target = f"{r.rto_target_minutes} min" if r.rto_target_minutes else "-"
    _pairs(
        pdf,
        [
            ("Status", r.status),
            ("Type", r.type),
            ("Started by", r.started_by),
            ("Requested", when(r.created_at)),
            ("Started", when(r.started_at)),
            ("Ended", when(r.ended_at)),
            ("Duration", span(r.duration_seconds)),
            ("RTO target", target),
            ("RTO achieved", span(r.rto_achieved_seconds)),
            ("Paused (not counted)", span(r.paused_seconds)),
            ("RTO verdict", rto_verdict(r)),
        ],
    )


def _plan(pdf: FPDF, r: ExecutionReport) -> None:
    _heading(pdf, "Plan (snapshot taken at the start)")
    _pairs(
        pdf,
        [
            ("Plan", f"{r.plan_name} ({r.plan_id})"),
            ("Description", r.plan_description or "none"),
            ("Waves run", ", ".join(r.selected_waves)),
            ("Servers", str(len(r.servers))),
        ],
    )
    rows = [
        [
            w.name,
            ", ".join(w.groups),
            ", ".join(w.depends_on) or "-",
            "yes" if w.pause_before else "no",
        ]
        for w in r.waves
    ]
    _table(
        pdf, ["Wave", "Protection groups", "Depends on", "Pause before"], rows, (40, 130, 60, 30)
    )


def _waves(pdf: FPDF, r: ExecutionReport) -> None:
    _heading(pdf, "Waves")
    rows = [
        [
            w.name,
            w.status,
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
    _table(pdf, head, rows, (40, 30, 45, 45, 30, 20, 25, 20))


def _timeline(pdf: FPDF, r: ExecutionReport) -> None:
    _heading(pdf, "Timeline")
    found = bars(r)
    axis = time_axis(r)
    if not found or axis is None:
        pdf.cell(0, 5, "Nothing launched yet.", new_x="LMARGIN", new_y="NEXT")
        return
    left = pdf.l_margin + LABEL_MM
    width = pdf.w - pdf.r_margin - left
    pdf.set_font(FONT, "", 7)
    for bar in found:
        if pdf.will_page_break(5):
            pdf.add_page()
        y = pdf.get_y()
        pdf.set_font(FONT, "B" if bar.wave else "", 7)
        pdf.cell(LABEL_MM - 2, 4, _latin(bar.label)[:40], align="R")
        pdf.set_fill_color(*_rgb(bar.colour))
        pdf.rect(left + bar.start * width, y + 0.5, max(0.6, (bar.end - bar.start) * width), 3, "F")
        pdf.ln(4.5)
    pdf.set_font(FONT, "", 7)
    pdf.set_x(left)
    pdf.cell(width / 2, 4, _latin(when(axis[0])))
    pdf.cell(width / 2, 4, _latin(when(axis[1])), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 4, "Grey: waves. Green: launched. Red: failed.", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 9)


def _servers(pdf: FPDF, r: ExecutionReport) -> None:
    _heading(pdf, "Servers")
    # The page is narrower than a screen: the recovery instance id is left to the HTML.
    head = [h for i, h in enumerate(SERVER_HEAD) if i != RECOVERY_INSTANCE]
    rows = [[c for i, c in enumerate(row) if i != RECOVERY_INSTANCE] for row in server_rows(r)]
    _table(pdf, head, rows, (22, 28, 36, 36, 20, 30, 32, 18, 50))


def _steps(pdf: FPDF, r: ExecutionReport) -> None:
    if not r.steps:
        return
    _heading(pdf, "Actions")
    _table(pdf, STEP_HEAD, step_rows(r), (28, 40, 32, 30, 38, 20, 70, 19))


def _acts(pdf: FPDF, r: ExecutionReport) -> None:
    _heading(pdf, "Who acted")
    rows = [
        [when(a.at), a.who, a.role or "-", a.action, a.outcome, a.comment or ""] for a in r.acts
    ]
    _table(
        pdf, ["When", "Who", "Role", "Action", "Outcome", "Comment"], rows, (42, 35, 35, 50, 25, 80)
    )


def _readiness(pdf: FPDF, r: ExecutionReport) -> None:
    _heading(pdf, "Readiness at start")
    ready = r.readiness
    healthy = len(ready.replication) - len(ready.unhealthy)
    pdf.multi_cell(
        0,
        5,
        f"{healthy} of {len(ready.replication)} servers had healthy (CONTINUOUS) "
        "replication when the execution started.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if ready.unhealthy:
        rows = [[sid, host or "-", state] for sid, host, state in ready.unhealthy]
        _table(pdf, ["Source server", "Host", "Replication at start"], rows, (60, 60, 60))
    for finding in ready.findings:
        pdf.multi_cell(0, 5, _latin(f"- {finding}"), new_x="LMARGIN", new_y="NEXT")


def _cleanup(pdf: FPDF, r: ExecutionReport) -> None:
    _heading(pdf, "Cleanup")
    c = r.cleanup
    _pairs(
        pdf,
        [
            ("Cleanup", c.status),
            ("Started", when(c.started_at)),
            ("Terminate jobs", ", ".join(c.terminate_jobs) or "-"),
            ("Left behind", ", ".join(c.leftovers) or "none"),
        ],
    )


def _events(pdf: FPDF, r: ExecutionReport) -> None:
    _heading(pdf, "Event log")
    rows = [[str(e.seq), when(e.at), e.actor, e.kind, e.message, e.comment or ""] for e in r.events]
    _table(
        pdf, ["#", "When", "Actor", "Event", "Message", "Comment"], rows, (10, 40, 28, 45, 110, 40)
    )


def _latin(text: str) -> str:
    """The core PDF fonts know Latin-1 only: anything else becomes `?`."""
    return text.encode("latin-1", "replace").decode("latin-1")


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)
