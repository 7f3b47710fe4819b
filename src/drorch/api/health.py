"""GET /health: is the store answering, is DRS reachable."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from drorch import __version__
from drorch.api.deps import ContainerDep
from drorch.api.security import public

router = APIRouter(tags=["health"])


@router.get("/health", dependencies=[public()])
def health(container: ContainerDep) -> JSONResponse:
    """200 when every dependency answers, 503 otherwise; each check says why."""
    checks = {"store": _check(container.store.ping)}
    drs = container.drs
    checks["drs"] = _check(drs.ping) if drs else {"status": "not configured"}
    healthy = all(c["status"] in {"ok", "not configured"} for c in checks.values())
    body = {"status": "ok" if healthy else "unavailable", "version": __version__, "checks": checks}
    return JSONResponse(body, status_code=200 if healthy else 503)


def _check(probe: Any) -> dict[str, str]:
    try:
        probe()
    except Exception as exc:  # health reports any failure rather than raising it
        return {"status": "error", "detail": str(exc) or type(exc).__name__}
    return {"status": "ok"}
