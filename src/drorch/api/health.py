"""GET /health: liveness (is the process and its store alive) and, with `?ready`, readiness.

Liveness answers 200 while the store answers, `ok` when everything works and `degraded`
(with the reasons) when DRS is not configured or unreachable or the engine runner is not
running: restarting the process would not fix those. Readiness (`GET /health?ready`)
answers 503 until the store, DRS and the runner are all usable, so a load balancer or an
orchestrator sends no work to a process that cannot run executions.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from drorch import __version__
from drorch.api.deps import ContainerDep
from drorch.api.security import public
from drorch.bootstrap import Container

router = APIRouter(tags=["health"])

NOT_CONFIGURED = (
    "DRS is not configured: DRORCH_DRS_ENABLED is off; serve with --sandbox, set "
    "DRORCH_DRS_ENDPOINT_URL, or turn it on for real DRS (no execution can start)"
)
# Check states that mean "usable"; `disabled` is a runner turned off on purpose.
USABLE = frozenset({"ok", "disabled"})

ReadyQuery = Annotated[
    str | None,
    Query(description="Present (`?ready`): answer 503 until the store, DRS and runner work."),
]


@router.get("/health", dependencies=[public()])
def health(container: ContainerDep, ready: ReadyQuery = None) -> JSONResponse:
    """Liveness: 200 `ok` or `degraded` (reasons listed), 503 when the store fails.

    With `?ready`, readiness: 200 only when every check is usable, 503 otherwise.
    """
    checks = _checks(container)
    reasons = [f"{name}: {c['detail']}" for name, c in checks.items() if c["status"] not in USABLE]
    status = _status(checks, reasons)
    body = {
        "status": status,
        "ready": not reasons,
        "version": __version__,
        "checks": checks,
        "reasons": reasons,
    }
    failing = status == "unavailable" or (ready is not None and reasons)
    return JSONResponse(body, status_code=503 if failing else 200)


def _status(checks: dict[str, dict[str, str]], reasons: list[str]) -> str:
    if checks["store"]["status"] != "ok":
        return "unavailable"  # nothing works without the store: restart the process
    return "degraded" if reasons else "ok"


def _checks(container: Container) -> dict[str, dict[str, str]]:
    drs = container.drs
    return {
        "store": _probe(container.store.ping),
        "drs": _probe(drs.ping) if drs else {"status": "not configured", "detail": NOT_CONFIGURED},
        "runner": _runner(container),
    }


def _runner(container: Container) -> dict[str, str]:
    if container.settings.driver == "stepfunctions":
        return {"status": "disabled", "detail": "Step Functions drives the engine"}
    if not container.settings.runner_enabled:
        return {"status": "disabled", "detail": "DRORCH_RUNNER_ENABLED is off: a worker runs"}
    if container.runner is None:
        return {"status": "not configured", "detail": "no engine runner without DRS"}
    if not container.runner.running():
        return {"status": "stopped", "detail": "the engine runner is not running"}
    return {"status": "ok"}


def _probe(probe: Any) -> dict[str, str]:
    try:
        probe()
    except Exception as exc:  # health reports any failure rather than raising it
        return {"status": "error", "detail": str(exc) or type(exc).__name__}
    return {"status": "ok"}
