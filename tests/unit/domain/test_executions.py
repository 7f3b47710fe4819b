"""The execution model: DRS status strings, snapshots, JSON round trips, helpers."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any, get_args

import botocore

from drorch.domain.executions import Execution, scope_key, summarize
from drorch.domain.statuses import (
    ACTIVE_STATUSES,
    TERMINAL_STATUSES,
    DrsJobStatus,
    DrsJobType,
    DrsLaunchStatus,
    ExecutionStatus,
)
from drorch.engine.jobs import FAIL_EVENTS
from tests.unit.engine.factory import execution


def drs_model() -> dict[str, Any]:
    folder = Path(botocore.__file__).parent / "data" / "drs" / "2020-02-26"
    return dict(json.loads(gzip.decompress((folder / "service-2.json.gz").read_bytes())))


def enum(name: str) -> set[str]:
    return set(drs_model()["shapes"][name]["enum"])


def test_drs_status_strings_are_exactly_the_drs_models() -> None:
    assert {s.value for s in DrsJobStatus} == enum("JobStatus")
    assert {s.value for s in DrsLaunchStatus} == enum("LaunchStatus")
    assert set(get_args(DrsJobType)) == enum("JobType")
    assert enum("JobLogEvent") >= FAIL_EVENTS


def test_statuses_split_into_active_and_terminal() -> None:
    assert set(ExecutionStatus) == ACTIVE_STATUSES | TERMINAL_STATUSES
    assert not ACTIVE_STATUSES & TERMINAL_STATUSES


def test_an_execution_round_trips_through_json_with_its_snapshot() -> None:
    ex = execution([("a", 2), ("b", 1)], depends={"b": ["a"]}, optional=("s-00000000000000002",))
    again = Execution.model_validate_json(ex.model_dump_json())
    assert again == ex
    assert [w.depends_on for w in again.waves] == [[], ["a"]]
    assert [s.optional for s in again.servers()] == [False, True, False]
    assert again.snapshot.servers[0].account_id == "111122223333"


def test_a_drill_needs_the_engine_until_its_cleanup_ends() -> None:
    ex = execution([("a", 1)])
    assert ex.is_drill and ex.cleanup_status == "NOT_STARTED"
    ex.status = "COMPLETED"
    assert not ex.needs_engine()
    ex.cleanup_status = "IN_PROGRESS"
    assert ex.needs_engine()


def test_summary_and_scope_key() -> None:
    ex = execution([("a", 3)], type="RECOVERY")
    assert summarize(ex).servers == 3
    assert ex.cleanup_status == "NOT_APPLICABLE"
    assert scope_key("111122223333", "us-east-1") == "111122223333/us-east-1"
