"""Notifications: channels, subscriptions, the events they carry and each delivery's attempts."""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from drorch.domain.common import Model, Name


class EventKind(StrEnum):
    """What a subscription can ask to be told about."""

    EXECUTION_STARTED = "execution.started"
    EXECUTION_PAUSED = "execution.paused"
    EXECUTION_AWAITING_APPROVAL = "execution.awaiting_approval"
    EXECUTION_COMPLETED = "execution.completed"
    EXECUTION_PARTIAL = "execution.partial"
    EXECUTION_FAILED = "execution.failed"
    EXECUTION_CANCELLED = "execution.cancelled"
    CLEANUP_INCOMPLETE = "execution.cleanup_incomplete"
    EXECUTION_STUCK = "execution.stuck"
    READINESS_FAILED = "readiness.failed"
    READINESS_RECOVERED = "readiness.recovered"
    SCHEDULE_SKIPPED = "schedule.skipped"
    TEST = "test"


# Timeline event kinds (engine/rules.py writes `execution.<rule>` and `cleanup.<rule>`) that
# become notifications. `approval.requested` is the kind the approval step is to write.
TIMELINE_KINDS: dict[str, EventKind] = {
    "execution.begin": EventKind.EXECUTION_STARTED,
    "execution.pause": EventKind.EXECUTION_PAUSED,
    "execution.hold": EventKind.EXECUTION_PAUSED,
    "approval.requested": EventKind.EXECUTION_AWAITING_APPROVAL,
    "execution.complete": EventKind.EXECUTION_COMPLETED,
    "execution.partial": EventKind.EXECUTION_PARTIAL,
    "execution.fail": EventKind.EXECUTION_FAILED,
    "execution.cancelled": EventKind.EXECUTION_CANCELLED,
    "cleanup.cleanup_leftovers": EventKind.CLEANUP_INCOMPLETE,
}
SUBSCRIBABLE: tuple[EventKind, ...] = tuple(k for k in EventKind if k is not EventKind.TEST)

TITLES: dict[EventKind, str] = {
    EventKind.EXECUTION_STARTED: "started",
    EventKind.EXECUTION_PAUSED: "paused",
    EventKind.EXECUTION_AWAITING_APPROVAL: "awaits approval",
    EventKind.EXECUTION_COMPLETED: "completed",
    EventKind.EXECUTION_PARTIAL: "completed in part",
    EventKind.EXECUTION_FAILED: "failed",
    EventKind.EXECUTION_CANCELLED: "was cancelled",
    EventKind.CLEANUP_INCOMPLETE: "left recovery instances behind",
    EventKind.EXECUTION_STUCK: "looks stuck",
    EventKind.READINESS_FAILED: "is not ready",
    EventKind.READINESS_RECOVERED: "is ready again",
    EventKind.SCHEDULE_SKIPPED: "skipped a scheduled run",
    EventKind.TEST: "test notification",
}


class ChannelType(StrEnum):
    """Where a channel sends."""

    SNS = "sns"
    EMAIL = "email"
    WEBHOOK = "webhook"


class DeliveryStatus(StrEnum):
    """Where one delivery stands."""

    PENDING = "PENDING"  # no attempt yet
    RETRYING = "RETRYING"  # an attempt failed; another is due at next_attempt_at
    DELIVERED = "DELIVERED"
    FAILED = "FAILED"  # every attempt failed: given up


OPEN_DELIVERIES = frozenset({DeliveryStatus.PENDING, DeliveryStatus.RETRYING})
TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:(?P<region>[a-z0-9-]+):[0-9]{12}:[\w-]{1,256}$")
EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
HOST = re.compile(r"^[A-Za-z0-9.-]{1,253}$|^\[?[0-9A-Fa-f:.]+\]?$")


class SnsConfig(Model):
    """Publish to an SNS topic with the hub's credentials."""

    type: Literal["sns"] = "sns"
    topic_arn: str = Field(description="arn:aws:sns:<region>:<account>:<topic>")

    @field_validator("topic_arn")
    @classmethod
    def _arn(cls, value: str) -> str:
        if not TOPIC_ARN.match(value):
            raise ValueError("is not an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)")
        return value

    @property
    def region(self) -> str:
        """The topic's Region, read from its ARN."""
        found = TOPIC_ARN.match(self.topic_arn)
        assert found is not None  # validated on construction
        return found.group("region")


class EmailConfig(Model):
    """Send mail through an SMTP server; the password is write-only (the channel's secret)."""

    type: Literal["email"] = "email"
    host: str = Field(min_length=1, max_length=253)
    port: int = Field(default=587, ge=1, le=65535)
    tls: Literal["none", "starttls", "ssl"] = Field(
        default="starttls", description="none, STARTTLS after connecting, or TLS from the start."
    )
    sender: str = Field(description="The From address.")
    recipients: list[str] = Field(min_length=1, max_length=50)
    username: str | None = Field(default=None, max_length=256)

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        if not HOST.match(value):
            raise ValueError("is not a host name or address")
        return value

    @field_validator("sender")
    @classmethod
    def _sender(cls, value: str) -> str:
        return _address(value)

    @field_validator("recipients")
    @classmethod
    def _recipients(cls, values: list[str]) -> list[str]:
        return [_address(v) for v in values]


class WebhookConfig(Model):
    """POST the event as JSON, signed with the channel's secret (HMAC-SHA256)."""

    type: Literal["webhook"] = "webhook"
    url: str = Field(max_length=2048)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not re.match(r"^https?://[^\s/?#]+[^\s]*$", value):
            raise ValueError("must be an http:// or https:// URL")
        return value


ChannelConfig = Annotated[SnsConfig | EmailConfig | WebhookConfig, Field(discriminator="type")]


def _address(value: str) -> str:
    if not EMAIL.match(value):
        raise ValueError(f"{value!r} is not an email address")
    return value


class ChannelDraft(Model):
    """The fields a caller chooses for a channel."""

    name: Name = Field(min_length=1, max_length=128)
    enabled: bool = True
    config: ChannelConfig


class Channel(Model):
    """A place notifications go; `secret` (SMTP password, webhook key) never leaves drorch."""

    id: str
    name: Name
    enabled: bool = True
    config: ChannelConfig
    secret: str | None = Field(default=None, repr=False)
    version: int = 1
    created_at: datetime
    updated_at: datetime

    @property
    def type(self) -> ChannelType:
        """The channel's kind, from its config."""
        return ChannelType(self.config.type)


class SubscriptionDraft(Model):
    """Which events of which plan (None: every plan) go to a channel."""

    channel_id: str
    plan_id: str | None = Field(default=None, description="None: every plan.")
    events: list[EventKind] = Field(min_length=1, max_length=len(SUBSCRIBABLE))
    enabled: bool = True

    @field_validator("events")
    @classmethod
    def _events(cls, values: list[EventKind]) -> list[EventKind]:
        if EventKind.TEST in values:
            raise ValueError("test is not an event to subscribe to (use the channel's test)")
        if len(set(values)) != len(values):
            raise ValueError("lists an event twice")
        return values


class Subscription(SubscriptionDraft):
    """A stored subscription."""

    id: str
    version: int = 1
    created_at: datetime
    updated_at: datetime

    def wants(self, kind: EventKind, plan_id: str | None) -> bool:
        """True when this subscription asks for `kind` about this plan."""
        if not self.enabled or kind not in self.events:
            return False
        return self.plan_id is None or self.plan_id == plan_id


class Subject(Model):
    """What a notification is about: an execution, a plan, a schedule or (a test) a channel."""

    type: Literal["execution", "plan", "schedule", "channel"]
    id: str
    plan_id: str | None = None
    plan_name: str | None = None


class Attempt(Model):
    """One try at sending a delivery."""

    n: int
    at: datetime
    ok: bool
    status_code: int | None = Field(default=None, description="HTTP or SMTP reply code.")
    error: str | None = None
    duration_ms: int = 0


class Delivery(Model):
    """One notification on its way to one channel, with every attempt so far."""

    id: str
    channel_id: str
    channel_name: str
    channel_type: ChannelType
    kind: EventKind
    subject: Subject
    title: str
    text: str
    payload: dict[str, Any] = Field(default_factory=dict)
    status: DeliveryStatus = DeliveryStatus.PENDING
    created_at: datetime
    next_attempt_at: datetime | None = None
    delivered_at: datetime | None = None
    attempts: list[Attempt] = Field(default_factory=list)


def headline(kind: EventKind, subject: Subject, payload: dict[str, Any]) -> str:
    """A one-line title, such as `drorch: DRILL of plan 'web' failed`."""
    what = _subject_words(subject, payload)
    return f"drorch: {what} {TITLES[kind]}"


def body_text(kind: EventKind, subject: Subject, payload: dict[str, Any]) -> str:
    """The message's text: the title's facts and the event's own words."""
    lines = [headline(kind, subject, payload).removeprefix("drorch: ") + "."]
    message = payload.get("message")
    if message:
        lines.append(str(message))
    for key in ("status", "reason", "actor", "comment"):
        if payload.get(key):
            lines.append(f"{key}: {payload[key]}")
    return "\n".join(lines)


def _subject_words(subject: Subject, payload: dict[str, Any]) -> str:
    plan = f"plan {subject.plan_name!r}" if subject.plan_name else "a plan"
    if subject.type == "execution":
        kind = payload.get("execution_type") or "execution"
        return f"{kind} {subject.id} of {plan}"
    if subject.type == "schedule":
        return f"schedule {subject.id} of {plan}"
    if subject.type == "channel":
        return f"channel {subject.id}"
    return plan if subject.plan_name else f"plan {subject.id}"


def retry_delay(attempt: int, *, base_seconds: float, max_seconds: float) -> float:
    """Seconds to wait after failed attempt number `attempt` (1-based): doubling, capped."""
    return float(min(base_seconds * 2 ** (attempt - 1), max_seconds))


def page_path(subject: Subject) -> str:
    """The UI page that shows the subject."""
    if subject.type == "execution":
        return f"/executions/{subject.id}"
    if subject.type == "channel":
        return "/notifications"
    if subject.plan_id:
        return f"/plans/{subject.plan_id}/edit"
    return "/plans"
