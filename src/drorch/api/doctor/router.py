"""/api/v1/doctor: the morning checklist."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter

from drorch.api.deps import ContainerDep
from drorch.api.doctor.schemas import DoctorRead
from drorch.api.security import require
from drorch.domain.identity import Permission, Principal
from drorch.services import doctor

router = APIRouter(prefix="/api/v1/doctor", tags=["doctor"])


@router.get("", response_model=DoctorRead)
def get_doctor(
    container: ContainerDep,
    _: Annotated[Principal, require(Permission.EXECUTIONS_READ)],
) -> DoctorRead:
    """Run every check; a failing check is data here (200), scripts read `status`."""
    clock = getattr(container, "clock", None)
    now = clock.now() if clock is not None else datetime.now(UTC)
    found = doctor.run_doctor(
        store=container.store, limits=doctor.thresholds(container.settings), now=now
    )
    return DoctorRead.model_validate(found.model_dump())
