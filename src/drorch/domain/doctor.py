"""The doctor's report: named checks, each ok, warn or fail, with what to do about it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from drorch.domain.common import Model

CheckStatus = Literal["ok", "warn", "fail"]
SEVERITY: dict[str, int] = {"ok": 0, "warn": 1, "fail": 2}


class Check(Model):
    """One item of the morning checklist."""

    name: str
    status: CheckStatus
    message: str = Field(description="What was found and what to do about it.")
    items: list[str] = Field(default_factory=list, description="What the check found, by name.")


class DoctorReport(Model):
    """Every check, and the worst of their statuses."""

    status: CheckStatus
    checked_at: datetime
    checks: list[Check]

    @property
    def failed(self) -> bool:
        """True when any check failed (the CLI then exits 1)."""
        return self.status == "fail"


def report(checks: list[Check], now: datetime) -> DoctorReport:
    """The report of these checks: its status is the worst of theirs."""
    worst = max((c.status for c in checks), key=SEVERITY.__getitem__, default="ok")
    return DoctorReport(status=worst, checked_at=now, checks=checks)


def listed(names: list[str], limit: int = 5) -> str:
    """A few names, and how many more, for a one-line message."""
    shown = ", ".join(names[:limit])
    return shown if len(names) <= limit else f"{shown} and {len(names) - limit} more"


def minutes(seconds: float) -> str:
    """A duration as whole minutes (or hours and minutes) for a message."""
    total = int(seconds // 60)
    return f"{total} min" if total < 120 else f"{total // 60} h {total % 60} min"
