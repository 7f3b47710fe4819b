"""EMF: the Prometheus registry's figures as CloudWatch embedded-metric-format documents."""

from __future__ import annotations

import io
import json
from typing import Any

from drorch.adapters.emf import EmfPublisher
from drorch.adapters.metrics import Metrics
from drorch.adapters.storage.sqlite import SqliteStore
from drorch.bootstrap import bootstrap
from drorch.config import Settings
from tests.unit.engine.factory import T0


def documents(stream: io.StringIO) -> list[dict[str, Any]]:
    lines = stream.getvalue().splitlines()
    stream.seek(0)
    stream.truncate()
    return [json.loads(line) for line in lines]


def by_metric(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {d["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Name"]: d for d in docs}


def publisher(metrics: Metrics, stream: io.StringIO) -> EmfPublisher:
    return EmfPublisher(
        metrics.registry,
        namespace="drorch-test",
        dimensions={"Environment": "test"},
        stream=stream,
        clock_ms=lambda: 1_764_633_600_000,
    )


def test_counters_and_histograms_are_published_as_increases_since_the_last_flush() -> None:
    metrics = Metrics(None, lambda: T0)
    stream = io.StringIO()
    emf = publisher(metrics, stream)
    metrics.aws_call("drs", "StartRecovery", None)
    metrics.aws_call("drs", "StartRecovery", "ThrottlingException")
    metrics.request("GET", "/api/v1/executions", 200, 0.25)
    metrics.request("GET", "/api/v1/executions", 200, 0.5)
    docs = by_metric(_flushed(emf, stream))
    calls = docs["AwsCalls"]
    assert calls["AwsCalls"] == 2 and calls["operation"] == "StartRecovery"
    assert calls["Environment"] == "test" and calls["service"] == "drs"
    spec = calls["_aws"]["CloudWatchMetrics"][0]
    assert spec["Namespace"] == "drorch-test"
    assert spec["Dimensions"] == [["Environment", "operation", "service"]]
    assert calls["_aws"]["Timestamp"] == 1_764_633_600_000
    assert docs["AwsCallErrors"]["code"] == "ThrottlingException"
    assert docs["ApiRequestDurationSecondsCount"]["ApiRequestDurationSecondsCount"] == 2
    latency = docs["ApiRequestDurationSecondsSum"]
    assert latency["ApiRequestDurationSecondsSum"] == 0.75
    assert latency["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Unit"] == "Seconds"
    # Nothing new happened: only the gauge again; one more call: only its increase.
    assert list(by_metric(_flushed(emf, stream))) == ["StuckExecutions"]
    metrics.aws_call("drs", "StartRecovery", None)
    again = by_metric(_flushed(emf, stream))
    assert sorted(again) == ["AwsCalls", "StuckExecutions"] and again["AwsCalls"]["AwsCalls"] == 1


def test_gauges_are_published_at_every_flush_with_their_current_value() -> None:
    store = SqliteStore(":memory:")
    try:
        metrics = Metrics(store, lambda: T0)
        stream = io.StringIO()
        emf = publisher(metrics, stream)
        for _ in range(2):
            metrics.stuck.set(2)
            docs = by_metric(_flushed(emf, stream))
            assert docs["EngineQueueDepth"]["EngineQueueDepth"] == 0
            assert docs["StuckExecutions"]["StuckExecutions"] == 2
            assert docs["StuckExecutions"]["Environment"] == "test"
            lag = docs["EngineRunnerLagSeconds"]["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]
            assert lag["Unit"] == "Seconds"
    finally:
        store.close()


def _flushed(emf: EmfPublisher, stream: io.StringIO) -> list[dict[str, Any]]:
    emf.flush()
    return documents(stream)


def test_bootstrap_builds_the_publisher_only_when_asked(tmp_path: Any) -> None:
    plain = bootstrap(Settings(data_dir=tmp_path / "a", drs_enabled=False))
    assert plain.emf is None
    settings = Settings(
        data_dir=tmp_path / "b",
        drs_enabled=False,
        metrics_emf=True,
        metrics_namespace="dr-x",
        metrics_environment="prod",
    )
    container = bootstrap(settings)
    try:
        assert container.emf is not None and container.emf.namespace == "dr-x"
        assert container.emf.dimensions == {"Environment": "prod"}
        assert container.emf.registry is container.metrics.registry
    finally:
        container.store.close()
        plain.store.close()
