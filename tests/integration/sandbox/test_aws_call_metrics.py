"""The botocore hooks count calls, errors and throttled attempts per operation (real HTTP)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from drorch.adapters.aws.instrument import instrument_client
from drorch.adapters.metrics import Metrics
from drorch.domain.common import utcnow
from tests.support.sandbox import RunningSandbox


def sample(metrics: Metrics, name: str, **labels: str) -> float:
    found = metrics.registry.get_sample_value(name, labels)
    return found or 0.0


def test_calls_errors_and_throttles_are_counted_per_operation(sb: RunningSandbox) -> None:
    metrics = Metrics(None, utcnow)
    drs: Any = instrument_client(sb.client(), metrics)  # one attempt per call
    drs.describe_source_servers()
    assert (
        sample(metrics, "drorch_aws_calls_total", service="drs", operation="DescribeSourceServers")
        == 1
    )
    sb.admin("POST", "faults", {"throttle": {"DescribeJobs": 0.001}})
    drs.describe_jobs()  # the burst lets the first call through
    for _ in range(2):
        with pytest.raises(ClientError):
            drs.describe_jobs()
    labels = {"service": "drs", "operation": "DescribeJobs"}
    assert sample(metrics, "drorch_aws_calls_total", **labels) == 3
    assert sample(metrics, "drorch_aws_throttles_total", **labels) == 2
    code = {**labels, "code": "ThrottlingException"}
    assert sample(metrics, "drorch_aws_call_errors_total", **code) == 2
    with pytest.raises(ClientError):
        drs.describe_recovery_snapshots(sourceServerID="s-00000000000000000")
    missing = {"service": "drs", "operation": "DescribeRecoverySnapshots"}
    assert sample(metrics, "drorch_aws_throttles_total", **missing) == 0
    assert (
        sum(
            s.value
            for f in metrics.registry.collect()
            if f.name == "drorch_aws_call_errors"
            for s in f.samples
            if s.labels.get("operation") == "DescribeRecoverySnapshots"
            and s.name.endswith("_total")
        )
        == 1
    )
