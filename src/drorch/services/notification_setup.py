"""Notification channels and subscriptions: create, change, remove, test, rotate a secret."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from drorch.domain.common import new_id, utcnow
from drorch.domain.notifications import (
    Channel,
    ChannelDraft,
    ChannelType,
    Delivery,
    EventKind,
    Subject,
    Subscription,
    SubscriptionDraft,
)
from drorch.domain.webhook_signature import new_secret
from drorch.errors import ConflictError, NotFoundError, ValidationError
from drorch.ports.store import Store, UnitOfWork
from drorch.services.audit import SYSTEM_AUDIT, AuditContext, record
from drorch.services.notifications import new_delivery
from drorch.services.problems import require_version


class Attempter(Protocol):
    """What sends a delivery once and records the attempt (the dispatcher)."""

    def attempt(self, delivery: Delivery, *, owner: str | None) -> Delivery: ...


@dataclass(frozen=True)
class ChannelSaved:
    """A channel as stored, and the webhook secret when it was just made (shown once)."""

    channel: Channel
    new_secret: str | None = None


# -- channels ---------------------------------------------------------------------------


def create_channel(
    *,
    store: Store,
    draft: ChannelDraft,
    password: str | None = None,
    audit: AuditContext = SYSTEM_AUDIT,
) -> ChannelSaved:
    """Create a channel; a webhook gets a fresh signing secret, returned this once."""
    _check_password(draft, password)
    now = utcnow()
    made = new_secret() if draft.config.type == "webhook" else None
    channel = Channel(
        id=new_id("nc"),
        name=draft.name,
        enabled=draft.enabled,
        config=draft.config,
        secret=made or password or None,
        created_at=now,
        updated_at=now,
    )
    with store.transaction() as uow:
        uow.notifications.add_channel(channel)
        record(
            uow,
            "notification_channel.create",
            "channel",
            channel.id,
            audit=audit,
            detail=_detail(channel),
        )
    return ChannelSaved(channel, made)


def update_channel(
    *,
    store: Store,
    channel_id: str,
    draft: ChannelDraft,
    password: str | None,
    if_match: int | None,
    version_named: bool = True,
    audit: AuditContext = SYSTEM_AUDIT,
) -> ChannelSaved:
    """Change a channel; a password left out is kept, an empty one is cleared."""
    _check_password(draft, password)
    with store.transaction() as uow:
        current = _channel(uow, channel_id)
        require_version("channel", channel_id, current.version, if_match, named=version_named)
        secret, made = _secret_after(current, draft, password)
        channel = current.model_copy(
            update={
                "name": draft.name,
                "enabled": draft.enabled,
                "config": draft.config,
                "secret": secret,
                "version": current.version + 1,
                "updated_at": utcnow(),
            }
        )
        uow.notifications.update_channel(channel, expected_version=current.version)
        record(
            uow,
            "notification_channel.update",
            "channel",
            channel_id,
            audit=audit,
            detail=_detail(channel),
        )
    return ChannelSaved(channel, made)


def rotate_secret(
    *, store: Store, channel_id: str, audit: AuditContext = SYSTEM_AUDIT
) -> ChannelSaved:
    """Give a webhook channel a new signing secret (the old one stops working at once)."""
    with store.transaction() as uow:
        current = _channel(uow, channel_id)
        if current.type is not ChannelType.WEBHOOK:
            raise ConflictError(
                f"channel {channel_id} is a {current.type} channel: only "
                "webhook channels have a signing secret"
            )
        made = new_secret()
        channel = current.model_copy(
            update={"secret": made, "version": current.version + 1, "updated_at": utcnow()}
        )
        uow.notifications.update_channel(channel, expected_version=current.version)
        record(uow, "notification_channel.rotate_secret", "channel", channel_id, audit=audit)
    return ChannelSaved(channel, made)


def delete_channel(
    *,
    store: Store,
    channel_id: str,
    if_match: int | None,
    version_named: bool = True,
    audit: AuditContext = SYSTEM_AUDIT,
) -> None:
    """Delete a channel and its subscriptions; its deliveries stay as history."""
    with store.transaction() as uow:
        current = _channel(uow, channel_id)
        require_version("channel", channel_id, current.version, if_match, named=version_named)
        uow.notifications.delete_channel(channel_id, expected_version=current.version)
        record(
            uow,
            "notification_channel.delete",
            "channel",
            channel_id,
            audit=audit,
            detail={"name": current.name},
        )


def get_channel(*, store: Store, channel_id: str) -> Channel:
    """One channel."""
    with store.read() as uow:
        return _channel(uow, channel_id)


def list_channels(*, store: Store) -> list[Channel]:
    """Every channel, by name."""
    with store.read() as uow:
        return uow.notifications.channels()


def send_test(
    *,
    store: Store,
    sender: Attempter,
    channel_id: str,
    audit: AuditContext = SYSTEM_AUDIT,
) -> Delivery:
    """Send a test notification over a channel now; the delivery with its one attempt."""
    now = utcnow()
    with store.transaction() as uow:
        channel = _channel(uow, channel_id)
        subject = Subject(type="channel", id=channel.id)
        payload = {
            "message": f"A test of channel {channel.name!r}, asked for by {audit.actor}.",
            "actor": audit.actor,
        }
        test = new_delivery(
            channel.id, channel.name, channel.type, EventKind.TEST, subject, payload, now
        )
        # No due time: the background dispatcher leaves it to this request.
        test = test.model_copy(update={"next_attempt_at": None})
        uow.notifications.add_delivery(test, dedupe_key=test.id)
        record(
            uow,
            "notification_channel.test",
            "channel",
            channel_id,
            audit=audit,
            detail={"delivery_id": test.id},
        )
    return sender.attempt(test, owner=None)


# -- subscriptions ----------------------------------------------------------------------


def create_subscription(
    *, store: Store, draft: SubscriptionDraft, audit: AuditContext = SYSTEM_AUDIT
) -> Subscription:
    """Subscribe a channel to events of one plan (or all)."""
    now = utcnow()
    subscription = Subscription(
        **draft.model_dump(), id=new_id("ns"), created_at=now, updated_at=now
    )
    with store.transaction() as uow:
        _check_targets(uow, draft)
        uow.notifications.add_subscription(subscription)
        record(
            uow,
            "notification_subscription.create",
            "subscription",
            subscription.id,
            audit=audit,
            detail=_sub_detail(subscription),
        )
    return subscription


def update_subscription(
    *,
    store: Store,
    subscription_id: str,
    draft: SubscriptionDraft,
    if_match: int | None,
    version_named: bool = True,
    audit: AuditContext = SYSTEM_AUDIT,
) -> Subscription:
    """Change a subscription's channel, plan, events or switch."""
    with store.transaction() as uow:
        current = _subscription(uow, subscription_id)
        require_version(
            "subscription", subscription_id, current.version, if_match, named=version_named
        )
        _check_targets(uow, draft)
        subscription = current.model_copy(
            update={**draft.model_dump(), "version": current.version + 1, "updated_at": utcnow()}
        )
        uow.notifications.update_subscription(subscription, expected_version=current.version)
        record(
            uow,
            "notification_subscription.update",
            "subscription",
            subscription_id,
            audit=audit,
            detail=_sub_detail(subscription),
        )
    return subscription


def delete_subscription(
    *,
    store: Store,
    subscription_id: str,
    if_match: int | None,
    version_named: bool = True,
    audit: AuditContext = SYSTEM_AUDIT,
) -> None:
    """Delete a subscription."""
    with store.transaction() as uow:
        current = _subscription(uow, subscription_id)
        require_version(
            "subscription", subscription_id, current.version, if_match, named=version_named
        )
        uow.notifications.delete_subscription(subscription_id, expected_version=current.version)
        record(
            uow, "notification_subscription.delete", "subscription", subscription_id, audit=audit
        )


def get_subscription(*, store: Store, subscription_id: str) -> Subscription:
    """One subscription."""
    with store.read() as uow:
        return _subscription(uow, subscription_id)


def list_subscriptions(*, store: Store, channel_id: str | None = None) -> list[Subscription]:
    """Every subscription (of one channel), oldest first."""
    with store.read() as uow:
        return uow.notifications.subscriptions(channel_id)


# -- helpers ----------------------------------------------------------------------------


def _secret_after(
    current: Channel, draft: ChannelDraft, password: str | None
) -> tuple[str | None, str | None]:
    """The channel's secret after an update, and a new webhook secret to show (or None)."""
    kind = ChannelType(draft.config.type)
    if kind is ChannelType.WEBHOOK:
        if current.type is ChannelType.WEBHOOK and current.secret:
            return current.secret, None
        made = new_secret()
        return made, made
    if kind is ChannelType.EMAIL:
        if password is not None:
            return password or None, None
        return (current.secret if current.type is ChannelType.EMAIL else None), None
    return None, None


def _check_password(draft: ChannelDraft, password: str | None) -> None:
    if password and draft.config.type != "email":
        raise ValidationError(
            "only email channels take a password",
            [{"path": "password", "message": f"a {draft.config.type} channel has no password"}],
        )


def _check_targets(uow: UnitOfWork, draft: SubscriptionDraft) -> None:
    """422 naming the field when the channel or the plan does not exist."""
    problems = []
    if uow.notifications.get_channel(draft.channel_id) is None:
        problems.append({"path": "channel_id", "message": f"no channel {draft.channel_id}"})
    if draft.plan_id is not None and uow.plans.get(draft.plan_id) is None:
        problems.append({"path": "plan_id", "message": f"no recovery plan {draft.plan_id}"})
    if problems:
        raise ValidationError(
            "subscription names " + " and ".join(p["message"] for p in problems), problems
        )


def _channel(uow: UnitOfWork, channel_id: str) -> Channel:
    found = uow.notifications.get_channel(channel_id)
    if found is None:
        raise NotFoundError(f"notification channel {channel_id} does not exist")
    return found


def _subscription(uow: UnitOfWork, subscription_id: str) -> Subscription:
    found = uow.notifications.get_subscription(subscription_id)
    if found is None:
        raise NotFoundError(f"notification subscription {subscription_id} does not exist")
    return found


def _detail(channel: Channel) -> dict[str, object]:
    # The config holds no secret (the password and key live in `secret`), so it may be kept.
    return {
        "name": channel.name,
        "enabled": channel.enabled,
        "config": channel.config.model_dump(mode="json"),
    }


def _sub_detail(subscription: Subscription) -> dict[str, object]:
    return {
        "channel_id": subscription.channel_id,
        "plan_id": subscription.plan_id,
        "events": [e.value for e in subscription.events],
        "enabled": subscription.enabled,
    }
