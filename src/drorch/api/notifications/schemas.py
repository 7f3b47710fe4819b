"""Notification JSON shapes: channels (secrets write-only), subscriptions, deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from drorch.api.echo import ReadOnlyEcho
from drorch.api.query import PageQuery
from drorch.domain.common import Name
from drorch.domain.notifications import (
    Attempt,
    Channel,
    ChannelConfig,
    ChannelType,
    DeliveryStatus,
    EventKind,
    Subject,
    SubscriptionDraft,
)


class ChannelCreate(BaseModel):
    """Body of POST /notification-channels; unknown fields are refused (a typo is no password)."""

    model_config = ConfigDict(extra="forbid")

    name: Name = Field(min_length=1, max_length=128)
    enabled: bool = True
    config: ChannelConfig
    password: SecretStr | None = Field(
        default=None, max_length=1024, description="Email only: the SMTP password. Write-only."
    )


class ChannelUpdate(ChannelCreate, ReadOnlyEcho):
    """Body of PUT /notification-channels/{id}: a password left out is kept, "" clears it."""

    type: ChannelType | None = Field(default=None, description="Read-only; ignored.")
    secret_set: bool | None = Field(default=None, description="Read-only; ignored.")
    signing_secret: str | None = Field(default=None, description="Read-only; ignored.")


class ChannelRead(BaseModel):
    """A channel; its password or signing secret is never shown, only whether one is set."""

    id: str
    name: str
    type: ChannelType
    enabled: bool
    config: ChannelConfig
    secret_set: bool = Field(description="A password (email) or signing secret (webhook) is set.")
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, channel: Channel) -> ChannelRead:
        """The public view of a channel."""
        return cls(
            id=channel.id,
            name=channel.name,
            type=channel.type,
            enabled=channel.enabled,
            config=channel.config,
            secret_set=bool(channel.secret),
            version=channel.version,
            created_at=channel.created_at,
            updated_at=channel.updated_at,
        )


class ChannelSavedRead(ChannelRead):
    """A channel just saved; `signing_secret` is shown this once, when it was just made."""

    signing_secret: str | None = Field(
        default=None,
        description="Webhook only, on create and rotate: the HMAC key receivers verify with.",
    )


class SubscriptionCreate(SubscriptionDraft):
    """Body of POST /notification-subscriptions."""


class SubscriptionUpdate(SubscriptionDraft, ReadOnlyEcho):
    """Body of PUT /notification-subscriptions/{id}."""


class SubscriptionRead(BaseModel):
    """A subscription: which events of which plan (null: every plan) go to a channel."""

    id: str
    channel_id: str
    plan_id: str | None
    events: list[EventKind]
    enabled: bool
    version: int
    created_at: datetime
    updated_at: datetime


class SubscriptionListQuery(PageQuery):
    """Query string of GET /notification-subscriptions."""

    channel_id: str | None = Field(None, max_length=64)


class DeliveryListQuery(PageQuery):
    """Query string of GET /notifications."""

    status: Literal["PENDING", "RETRYING", "DELIVERED", "FAILED"] | None = None
    kind: str | None = Field(None, max_length=64, description="e.g. execution.failed")
    channel_id: str | None = Field(None, max_length=64)
    subject_id: str | None = Field(None, max_length=128, description="e.g. an execution id.")
    plan_id: str | None = Field(None, max_length=64)


class DeliveryRead(BaseModel):
    """One notification to one channel, with every attempt."""

    id: str
    channel_id: str
    channel_name: str
    channel_type: ChannelType
    kind: EventKind
    subject: Subject
    title: str
    text: str
    link: str
    payload: dict[str, Any]
    status: DeliveryStatus
    created_at: datetime
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    attempts: list[Attempt]
