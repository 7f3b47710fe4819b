"""/metrics: the Prometheus exposition of this process, behind the API's sign-in."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response

from drorch.api.deps import ContainerDep
from drorch.api.security import require
from drorch.domain.identity import Permission, Principal
from drorch.errors import NotFoundError

router = APIRouter(tags=["metrics"])


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
)
def get_metrics(
    container: ContainerDep,
    _: Annotated[Principal, require(Permission.METRICS_READ)],
) -> Response:
    """Counters, histograms and store gauges in the Prometheus text format."""
    metrics = container.metrics
    if metrics is None:
        raise NotFoundError("metrics are turned off (DRORCH_METRICS_ENABLED=false)")
    body, content_type = metrics.render()
    return Response(body, media_type=content_type)
