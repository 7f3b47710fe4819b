"""/api/v1/notification-subscriptions: which events of which plans go to which channel."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response, status

from drorch.api.deps import IfMatch, StoreDep, set_etag
from drorch.api.echo import split_echo
from drorch.api.notifications.schemas import (
    SubscriptionCreate,
    SubscriptionListQuery,
    SubscriptionRead,
    SubscriptionUpdate,
)
from drorch.api.query import documented, query_of
from drorch.api.security import audited, require
from drorch.domain.common import echo_problems
from drorch.domain.identity import Permission, Principal
from drorch.domain.notifications import Subscription, SubscriptionDraft
from drorch.services import notification_setup as setup
from drorch.services.audit import AuditContext
from drorch.services.problems import raise_if_problems

router = APIRouter(prefix="/api/v1/notification-subscriptions", tags=["notifications"])
P = Permission
CREATE = "notification_subscription.create"
UPDATE = "notification_subscription.update"
DELETE = "notification_subscription.delete"


@router.get("", openapi_extra=documented(SubscriptionListQuery))
def list_subscriptions(
    store: StoreDep,
    _: Annotated[Principal, require(P.NOTIFICATIONS_READ)],
    params: Annotated[SubscriptionListQuery, query_of(SubscriptionListQuery)],
) -> list[SubscriptionRead]:
    """Every subscription (of one channel), oldest first."""
    found = setup.list_subscriptions(store=store, channel_id=params.channel_id)
    return [_read(s) for s in found]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_subscription(
    body: SubscriptionCreate,
    store: StoreDep,
    response: Response,
    audit: Annotated[AuditContext, audited(P.NOTIFICATIONS_WRITE, CREATE)],
) -> SubscriptionRead:
    """Subscribe a channel to events of one plan (plan_id null: every plan)."""
    draft = SubscriptionDraft.model_validate(body.model_dump())
    subscription = setup.create_subscription(store=store, draft=draft, audit=audit)
    set_etag(response, subscription.version)
    response.headers["Location"] = f"{router.prefix}/{subscription.id}"
    return _read(subscription)


@router.get("/{subscription_id}")
def get_subscription(
    subscription_id: str,
    store: StoreDep,
    response: Response,
    _: Annotated[Principal, require(P.NOTIFICATIONS_READ)],
) -> SubscriptionRead:
    """One subscription."""
    subscription = setup.get_subscription(store=store, subscription_id=subscription_id)
    set_etag(response, subscription.version)
    return _read(subscription)


@router.put("/{subscription_id}")
def update_subscription(
    subscription_id: str,
    body: SubscriptionUpdate,
    store: StoreDep,
    if_match: IfMatch,
    response: Response,
    audit: Annotated[AuditContext, audited(P.NOTIFICATIONS_WRITE, UPDATE)],
) -> SubscriptionRead:
    """Change a subscription; 412 on a stale version, 428 without one."""
    draft, echoed = split_echo(body, SubscriptionDraft)
    current = setup.get_subscription(store=store, subscription_id=subscription_id)
    raise_if_problems(echo_problems(echoed, current.model_dump()), "notification subscription")
    subscription = setup.update_subscription(
        store=store,
        subscription_id=subscription_id,
        draft=SubscriptionDraft.model_validate(draft.model_dump()),
        if_match=if_match.expected(body.version),
        version_named=if_match.named(body.version),
        audit=audit,
    )
    set_etag(response, subscription.version)
    return _read(subscription)


@router.delete("/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_subscription(
    subscription_id: str,
    store: StoreDep,
    if_match: IfMatch,
    audit: Annotated[AuditContext, audited(P.NOTIFICATIONS_WRITE, DELETE)],
) -> Response:
    """Delete a subscription; 428 without If-Match."""
    setup.delete_subscription(
        store=store,
        subscription_id=subscription_id,
        if_match=if_match.expected(),
        version_named=if_match.named(),
        audit=audit,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _read(subscription: Subscription) -> SubscriptionRead:
    return SubscriptionRead.model_validate(subscription.model_dump())
