"""Inventory values are exactly DRS's own."""

from __future__ import annotations

import botocore.session

from drorch.domain.inventory import REPLICATION_STATES, LaunchResult, SourceServer
from tests.support.builders import server

MODEL = botocore.session.get_session().get_service_model("drs")


def test_replication_states_are_the_drs_enum() -> None:
    assert list(REPLICATION_STATES) == MODEL.shape_for("DataReplicationState").enum


def test_launch_results_are_the_drs_enum() -> None:
    assert list(LaunchResult.__args__) == MODEL.shape_for("LastLaunchResult").enum


def test_only_continuous_replication_is_healthy() -> None:
    healthy = [s for s in REPLICATION_STATES if server(1, replication_state=s).replication_healthy]
    assert healthy == ["CONTINUOUS"]


def test_json_carries_health_and_validates_back_with_health_derived_anew() -> None:
    stalled = server(1, replication_state="STALLED")
    assert stalled.model_dump()["replication_healthy"] is False
    assert SourceServer.model_validate_json(stalled.model_dump_json()) == stalled
    claimed = {**stalled.model_dump(), "replication_healthy": True}
    assert SourceServer.model_validate(claimed).replication_healthy is False
