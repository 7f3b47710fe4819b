"""Readiness verdicts and the status changes notifications announce."""

from __future__ import annotations

import pytest

from drorch.domain.readiness import (
    Finding,
    ReadinessStatus,
    Severity,
    Subject,
    SubjectKind,
    Transition,
    status_of,
    transition,
)

READY, NOT_READY = ReadinessStatus.READY, ReadinessStatus.NOT_READY


def a_finding(severity: Severity) -> Finding:
    return Finding(
        check="quota",
        code="no-quota-headroom",
        severity=severity,
        subject=Subject(kind=SubjectKind.REGION, id="111122223333/us-east-1"),
        message="full",
        detail={"scope": "111122223333/us-east-1"},
    )


def test_only_errors_make_a_plan_not_ready() -> None:
    assert status_of([]) is READY
    assert status_of([a_finding(Severity.WARNING), a_finding(Severity.INFO)]) is READY
    assert status_of([a_finding(Severity.WARNING), a_finding(Severity.ERROR)]) is NOT_READY


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [
        (None, NOT_READY, Transition.FAILED),
        (READY, NOT_READY, Transition.FAILED),
        (NOT_READY, READY, Transition.RECOVERED),
        (None, READY, None),
        (READY, READY, None),
        (NOT_READY, NOT_READY, None),
    ],
)
def test_transitions(
    previous: ReadinessStatus | None, current: ReadinessStatus, expected: Transition | None
) -> None:
    assert transition(previous, current) is expected


def test_a_finding_as_a_start_reason_keeps_its_detail() -> None:
    reason = a_finding(Severity.ERROR).as_reason()
    assert reason == {
        "reason": "no-quota-headroom",
        "scope": "111122223333/us-east-1",
        "message": "full",
    }
