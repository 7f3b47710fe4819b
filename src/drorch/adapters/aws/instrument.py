"""botocore event hooks that count every AWS call, its errors and throttles, per operation.

Registered on a boto3 session (every client it makes afterwards inherits them) or on one
client. `after-call` fires once per call after botocore's retries; `response-received`
fires for every attempt, so a throttled attempt that a retry then rescued still counts.
"""

from __future__ import annotations

from typing import Any

from drorch.ports.metrics import AwsCallSink

THROTTLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "SlowDown",
    }
)


class _Hooks:
    """The three handlers, bound to one sink."""

    def __init__(self, sink: AwsCallSink) -> None:
        self.sink = sink

    def after_call(self, event_name: str, http_response: Any, parsed: Any, **_: Any) -> None:
        error = _error_code(parsed) if http_response.status_code >= 300 else None
        self.sink.aws_call(*_names(event_name), error or None)

    def after_call_error(self, event_name: str, exception: BaseException, **_: Any) -> None:
        # No answer at all (connection refused, timeout): the exception's class names it.
        self.sink.aws_call(*_names(event_name), type(exception).__name__)

    def response_received(self, event_name: str, **kwargs: Any) -> None:
        parsed = kwargs.get("parsed_response") or {}
        status = (kwargs.get("response_dict") or {}).get("status_code")
        if status == 429 or _error_code(parsed) in THROTTLE_CODES:
            self.sink.aws_throttled(*_names(event_name))

    def register(self, events: Any) -> None:
        events.register("after-call", self.after_call, unique_id="drorch-metrics-after-call")
        events.register(
            "after-call-error", self.after_call_error, unique_id="drorch-metrics-call-error"
        )
        events.register(
            "response-received", self.response_received, unique_id="drorch-metrics-attempt"
        )


def instrument_session(session: Any, sink: AwsCallSink | None) -> Any:
    """The boto3 session, its future clients counted by `sink` (None: left as it is)."""
    if sink is not None:
        _Hooks(sink).register(session.events)
    return session


def instrument_client(client: Any, sink: AwsCallSink | None) -> Any:
    """The boto3 client, its calls counted by `sink` (None: left as it is)."""
    if sink is not None:
        _Hooks(sink).register(client.meta.events)
    return client


def _names(event_name: str) -> tuple[str, str]:
    """(service, operation) from an event name such as `after-call.drs.DescribeJobs`."""
    parts = event_name.split(".")
    return (parts[1], parts[2]) if len(parts) >= 3 else ("unknown", "unknown")


def _error_code(parsed: Any) -> str:
    error = parsed.get("Error", {}) if isinstance(parsed, dict) else {}
    return str(error.get("Code") or "")
