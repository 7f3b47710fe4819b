"""Notification rules: the signature receivers verify, retry delays, who wants what, words."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from drorch.domain.notifications import (
    EmailConfig,
    EventKind,
    SnsConfig,
    Subject,
    Subscription,
    SubscriptionDraft,
    WebhookConfig,
    body_text,
    headline,
    page_path,
    retry_delay,
)
from drorch.domain.webhook_signature import new_secret, signature, verify

AT = datetime(2026, 12, 1, tzinfo=UTC)


def documented_verifier(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    """The receiver-side check exactly as docs/operations.md spells it out."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest("v1=" + digest.hexdigest(), header)


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    expected = hmac.new(b"whsec_k", b"1764633600.{}", hashlib.sha256).hexdigest()
    assert signature("whsec_k", 1764633600, b"{}") == f"v1={expected}"


@settings(max_examples=40, deadline=None)
@given(body=st.binary(max_size=200), timestamp=st.integers(0, 2**40))
def test_what_drorch_signs_the_documented_verifier_accepts(body: bytes, timestamp: int) -> None:
    secret = new_secret()
    header = signature(secret, timestamp, body)
    assert documented_verifier(secret, str(timestamp), body, header)
    assert verify(secret, str(timestamp), body, header, now=timestamp + 10)
    assert not documented_verifier(secret, str(timestamp + 1), body, header)


def test_verify_refuses_old_timestamps_other_secrets_and_changed_bodies() -> None:
    header = signature("whsec_a", 1000, b"body")
    assert verify("whsec_a", "1000", b"body", header, now=1299)
    assert not verify("whsec_a", "1000", b"body", header, now=1301)  # a replay
    assert not verify("whsec_b", "1000", b"body", header, now=1000)
    assert not verify("whsec_a", "1000", b"body!", header, now=1000)
    assert not verify("whsec_a", "-1000", b"body", header, now=1000)
    assert new_secret() != new_secret()


def test_retry_delays_double_up_to_the_cap() -> None:
    delays = [retry_delay(n, base_seconds=10, max_seconds=60) for n in range(1, 6)]
    assert delays == [10, 20, 40, 60, 60]


def subscription(plan_id: str | None, *events: EventKind, enabled: bool = True) -> Subscription:
    return Subscription(
        id="ns-1",
        channel_id="nc-1",
        plan_id=plan_id,
        events=list(events),
        enabled=enabled,
        created_at=AT,
        updated_at=AT,
    )


def test_a_subscription_wants_its_events_of_its_plan_or_of_every_plan() -> None:
    one = subscription("rp-1", EventKind.EXECUTION_FAILED)
    every = subscription(None, EventKind.EXECUTION_FAILED)
    assert one.wants(EventKind.EXECUTION_FAILED, "rp-1")
    assert not one.wants(EventKind.EXECUTION_FAILED, "rp-2")
    assert not one.wants(EventKind.EXECUTION_COMPLETED, "rp-1")
    assert every.wants(EventKind.EXECUTION_FAILED, "rp-2") and every.wants(
        EventKind.EXECUTION_FAILED, None
    )
    assert not subscription(None, EventKind.EXECUTION_FAILED, enabled=False).wants(
        EventKind.EXECUTION_FAILED, "rp-1"
    )


def test_subscriptions_refuse_the_test_kind_and_repeats() -> None:
    with pytest.raises(ValidationError, match="test is not an event"):
        SubscriptionDraft(channel_id="nc-1", events=[EventKind.TEST])
    with pytest.raises(ValidationError, match="twice"):
        SubscriptionDraft(channel_id="nc-1", events=[EventKind.EXECUTION_STUCK] * 2)


def test_channel_configs_check_what_they_can() -> None:
    assert SnsConfig(topic_arn="arn:aws:sns:eu-west-1:123456789012:ops").region == "eu-west-1"
    with pytest.raises(ValidationError):
        SnsConfig(topic_arn="arn:aws:sqs:eu-west-1:123456789012:ops")
    with pytest.raises(ValidationError):
        WebhookConfig(url="ftp://example.org/x")
    with pytest.raises(ValidationError, match="not an email address"):
        EmailConfig(host="smtp.example.org", sender="drorch", recipients=["a@example.org"])


def test_words_and_links_name_the_subject() -> None:
    run = Subject(type="execution", id="ex-1", plan_id="rp-1", plan_name="web")
    payload = {"execution_type": "DRILL", "message": "wave db failed", "comment": "on it"}
    assert headline(EventKind.EXECUTION_FAILED, run, payload) == (
        "drorch: DRILL ex-1 of plan 'web' failed"
    )
    assert body_text(EventKind.EXECUTION_FAILED, run, payload).splitlines() == [
        "DRILL ex-1 of plan 'web' failed.",
        "wave db failed",
        "comment: on it",
    ]
    plan = Subject(type="plan", id="rp-1", plan_id="rp-1", plan_name="web")
    assert headline(EventKind.READINESS_FAILED, plan, {}) == "drorch: plan 'web' is not ready"
    assert page_path(run) == "/executions/ex-1" and page_path(plan) == "/plans/rp-1/edit"
