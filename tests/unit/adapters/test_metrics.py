"""Prometheus metrics: store gauges read at scrape time, launches and finishes from advances."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from drorch.adapters.metrics import Metrics
from drorch.adapters.storage.sqlite import SqliteStore
from tests.unit.engine.factory import T0, at, execution


@pytest.fixture
def store() -> Iterator[SqliteStore]:
    s = SqliteStore(":memory:")
    yield s
    s.close()


def gauge(metrics: Metrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


def test_queue_depth_and_runner_lag_come_from_the_due_queue(store: SqliteStore) -> None:
    now = at(100)
    metrics = Metrics(store, lambda: now)
    assert gauge(metrics, "drorch_engine_queue_depth") == 0
    assert gauge(metrics, "drorch_engine_runner_lag_seconds") == 0
    # Each on servers of its own: an active execution claims its servers.
    first = execution([("a", 1)])
    second = execution([("a", 1)], first_server=2).model_copy(update={"id": "ex-2"})
    later = execution([("a", 1)], first_server=3).model_copy(update={"id": "ex-3"})
    with store.transaction() as uow:
        for ex in (first, second, later):
            uow.executions.add(ex)
        uow.executions.schedule("ex-1", at(70))  # due 30 s ago, nobody took it
        uow.executions.schedule("ex-2", at(90))
        uow.executions.schedule("ex-3", at(500))  # not due yet
        uow.executions.claim("ex-2", owner="w", now=now, lease_until=at(115))
    assert gauge(metrics, "drorch_engine_queue_depth") == 1
    assert gauge(metrics, "drorch_engine_leased") == 1
    assert gauge(metrics, "drorch_engine_runner_lag_seconds") == 30
    assert gauge(metrics, "drorch_executions", type="DRILL", status="PENDING") == 3


def test_an_advance_that_ends_launches_observes_their_durations() -> None:
    metrics = Metrics(None, lambda: T0)
    before = execution([("a", 2)])
    after = before.model_copy(deep=True)
    launched, failed = after.waves[0].servers
    launched.launch_status, launched.started_at, launched.ended_at = "LAUNCHED", at(0), at(300)
    failed.launch_status, failed.started_at, failed.ended_at = "FAILED", at(0), at(40)
    after.status = "PARTIAL"
    metrics.advanced(before, after)
    count = "drorch_launch_duration_seconds_count"
    assert gauge(metrics, count, type="DRILL", outcome="LAUNCHED") == 1
    assert (
        gauge(metrics, "drorch_launch_duration_seconds_sum", type="DRILL", outcome="FAILED") == 40
    )
    assert gauge(metrics, "drorch_executions_finished_total", type="DRILL", status="PARTIAL") == 1
    # The next advance sees the same ended launches: nothing is counted twice.
    metrics.advanced(after, after.model_copy(update={"updated_at": T0 + timedelta(seconds=1)}))
    assert gauge(metrics, count, type="DRILL", outcome="LAUNCHED") == 1
    assert gauge(metrics, "drorch_executions_finished_total", type="DRILL", status="PARTIAL") == 1


def test_api_requests_are_labelled_by_route_template() -> None:
    metrics = Metrics(None, lambda: T0)
    metrics.request("GET", "/api/v1/executions/{execution_id}", 200, 0.004)
    metrics.request("GET", "/api/v1/executions/{execution_id}", 200, 0.2)
    labels = {"method": "GET", "route": "/api/v1/executions/{execution_id}", "status": "200"}
    assert gauge(metrics, "drorch_api_request_duration_seconds_count", **labels) == 2
    bucket = {**labels, "le": "0.005"}
    assert gauge(metrics, "drorch_api_request_duration_seconds_bucket", **bucket) == 1
