"""/api/v1/executions/{id}/report (HTML or PDF) and /api/v1/executions/export (CSV or JSON).

Included before the executions router: `/executions/export` must not be read as the
execution id `export`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response
from pydantic import Field

from drorch.api.deps import ContainerDep
from drorch.api.query import QueryModel, documented, query_of
from drorch.api.security import require
from drorch.domain.common import utcnow
from drorch.domain.executions import ExecutionType
from drorch.domain.identity import Permission, Principal
from drorch.domain.statuses import ExecutionStatus
from drorch.services.reports import export
from drorch.services.reports.gather import build_report
from drorch.services.reports.html import render_html

router = APIRouter(prefix="/api/v1/executions", tags=["reports"])
PDF = "application/pdf"
HTML = "text/html; charset=utf-8"


class ExportQuery(QueryModel):
    """Query string of GET /executions/export: the list's filters and a format."""

    format: Literal["csv", "json"] = Field("csv", description="csv (default) or json.")
    plan_id: str | None = Field(None, max_length=128)
    status: ExecutionStatus | None = None
    type: ExecutionType | None = None


@router.get(
    "/export",
    response_class=Response,
    openapi_extra=documented(ExportQuery),
    responses={
        200: {
            "description": "Every matching execution, newest first (at most 10,000)",
            "content": {"text/csv": {}, "application/json": {}},
        }
    },
)
def export_executions(
    container: ContainerDep,
    _: Annotated[Principal, require(Permission.EXECUTIONS_READ)],
    params: Annotated[ExportQuery, query_of(ExportQuery)],
) -> Response:
    """The execution history as CSV or JSON, filtered like the list."""
    rows = export.export_rows(
        store=container.store,
        now=utcnow(),
        plan_id=params.plan_id,
        status=params.status,
        type=params.type,
    )
    if params.format == "json":
        body, media, name = export.to_json(rows), "application/json", "executions.json"
    else:
        body, media, name = export.to_csv(rows), "text/csv; charset=utf-8", "executions.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(body, media_type=media, headers=headers)


@router.get(
    "/{execution_id}/report",
    response_class=Response,
    responses={
        200: {
            "description": "A self-contained HTML file, or a PDF with ?format=pdf",
            "content": {"text/html": {}, PDF: {}},
        },
        404: {"description": "Unknown execution"},
    },
)
def execution_report(
    execution_id: str,
    container: ContainerDep,
    _: Annotated[Principal, require(Permission.EXECUTIONS_READ)],
    format: Annotated[Literal["html", "pdf"], Query(description="html (default) or pdf.")] = "html",
) -> Response:
    """The execution's report: plan, RTO, waves, timeline, servers, people, cleanup, events."""
    report = build_report(store=container.store, execution_id=execution_id, now=utcnow())
    if format == "pdf":
        # Imported here: the PDF library costs half a second, too much for every cold start.
        from drorch.services.reports.pdf import render_pdf

        name = f"{execution_id}-report.pdf"
        headers = {"Content-Disposition": f'inline; filename="{name}"'}
        return Response(render_pdf(report), media_type=PDF, headers=headers)
    # The report is a document of its own: its inline style and SVG need a policy of their own.
    headers = {
        "Content-Disposition": f'inline; filename="{execution_id}-report.html"',
        "Content-Security-Policy": REPORT_CSP,
    }
    return Response(render_html(report), media_type=HTML, headers=headers)


# No script at all; styles and images only from the document itself.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
