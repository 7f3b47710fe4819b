"""A report shows each action: its status, what it changed, who decided, and its undo."""

from __future__ import annotations

import io
from datetime import timedelta

from pypdf import PdfReader

from drorch.adapters.storage.sqlite import SqliteStore
from drorch.domain.executions import StepRun, StepUndo
from drorch.domain.statuses import StepStatus, UndoStatus
from drorch.services.reports.gather import build_report
from drorch.services.reports.html import render_html
from drorch.services.reports.pdf import render_pdf
from tests.unit.engine.factory import T0, execution


def test_the_report_lists_every_action_with_what_it_changed_and_its_undo() -> None:
    ex = execution([("db", 1)])
    switched = StepRun(
        name="switch-dns",
        type="route53_change",
        phase="after",
        status=StepStatus.SUCCEEDED,
        started_at=T0,
        ended_at=T0 + timedelta(seconds=75),
        changed={"record": "api.example.com.", "previous": "10.0.0.1"},
        undo=StepUndo(status=UndoStatus.SUCCEEDED, started_at=T0 + timedelta(minutes=5)),
    )
    approved = StepRun(
        name="go-ahead",
        type="approval",
        phase="before",
        status=StepStatus.SUCCEEDED,
        decided_by="rita",
        comment="data verified",
    )
    wave = ex.waves[0].model_copy(update={"steps": [approved, switched]})
    ex = ex.model_copy(update={"waves": [wave]})
    store = SqliteStore(":memory:")
    try:
        with store.transaction() as uow:
            uow.executions.add(ex)
        report = build_report(store=store, execution_id=ex.id, now=T0 + timedelta(hours=1))
    finally:
        store.close()
    assert [(s.name, s.status, s.undo) for s in report.steps] == [
        ("go-ahead", "SUCCEEDED", None),
        ("switch-dns", "SUCCEEDED", "SUCCEEDED"),
    ]
    html = render_html(report)
    section = html[html.index('<h2 id="actions">') : html.index('<h2 id="people">')]
    assert "switch-dns (after)" in section and "route53_change" in section
    assert "previous=10.0.0.1, record=api.example.com." in section
    assert "SUCCEEDED by rita" in section and "data verified" in section
    assert "1 min 15 s" in section
    pages = PdfReader(io.BytesIO(render_pdf(report))).pages
    text = " ".join(page.extract_text() for page in pages)
    assert "Actions" in text and "switch-dns" in text and "route53_change" in text
