"""/api/v1/notification-channels: where notifications go, and a test send per channel."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Response, status

from drorch.api.deps import ContainerDep, IfMatch, StoreDep, set_etag
from drorch.api.echo import split_echo
from drorch.api.notifications.deliveries import delivery_read
from drorch.api.notifications.schemas import (
    ChannelCreate,
    ChannelRead,
    ChannelSavedRead,
    ChannelUpdate,
    DeliveryRead,
)
from drorch.api.security import audited, require
from drorch.domain.common import echo_problems
from drorch.domain.identity import Permission, Principal
from drorch.domain.notifications import ChannelDraft
from drorch.errors import ConflictError
from drorch.services import notification_setup as setup
from drorch.services.audit import AuditContext
from drorch.services.problems import raise_if_problems

router = APIRouter(prefix="/api/v1/notification-channels", tags=["notifications"])
P = Permission
IGNORED_ECHO = {"type", "secret_set", "signing_secret"}
NAME_TAKEN: dict[int | str, dict[str, Any]] = {
    409: {"description": "Another channel has this name"}
}


@router.get("")
def list_channels(
    store: StoreDep, _: Annotated[Principal, require(P.NOTIFICATIONS_READ)]
) -> list[ChannelRead]:
    """Every channel, by name (no secret is ever returned)."""
    return [ChannelRead.of(c) for c in setup.list_channels(store=store)]


@router.post("", status_code=status.HTTP_201_CREATED, responses=NAME_TAKEN)
def create_channel(
    body: ChannelCreate,
    store: StoreDep,
    response: Response,
    audit: Annotated[AuditContext, audited(P.NOTIFICATIONS_WRITE, "notification_channel.create")],
) -> ChannelSavedRead:
    """Create a channel; a webhook's signing secret is in this answer and never again."""
    draft = ChannelDraft(name=body.name, enabled=body.enabled, config=body.config)
    saved = setup.create_channel(store=store, draft=draft, password=_password(body), audit=audit)
    set_etag(response, saved.channel.version)
    response.headers["Location"] = f"{router.prefix}/{saved.channel.id}"
    return _saved(saved)


@router.get("/{channel_id}")
def get_channel(
    channel_id: str,
    store: StoreDep,
    response: Response,
    _: Annotated[Principal, require(P.NOTIFICATIONS_READ)],
) -> ChannelRead:
    """One channel."""
    channel = setup.get_channel(store=store, channel_id=channel_id)
    set_etag(response, channel.version)
    return ChannelRead.of(channel)


@router.put("/{channel_id}", responses=NAME_TAKEN)
def update_channel(
    channel_id: str,
    body: ChannelUpdate,
    store: StoreDep,
    if_match: IfMatch,
    response: Response,
    audit: Annotated[AuditContext, audited(P.NOTIFICATIONS_WRITE, "notification_channel.update")],
) -> ChannelSavedRead:
    """Change a channel; 412 on a stale version, 428 without one."""
    draft, echoed = split_echo(body, ChannelDraft)
    shown = ChannelRead.of(setup.get_channel(store=store, channel_id=channel_id)).model_dump()
    checked = {k: v for k, v in echoed.items() if k not in IGNORED_ECHO | {"password"}}
    raise_if_problems(echo_problems(checked, shown), "notification channel")
    saved = setup.update_channel(
        store=store,
        channel_id=channel_id,
        draft=ChannelDraft.model_validate(draft.model_dump()),
        password=_password(body),
        if_match=if_match.expected(body.version),
        version_named=if_match.named(body.version),
        audit=audit,
    )
    set_etag(response, saved.channel.version)
    return _saved(saved)


@router.delete("/{channel_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_channel(
    channel_id: str,
    store: StoreDep,
    if_match: IfMatch,
    audit: Annotated[AuditContext, audited(P.NOTIFICATIONS_WRITE, "notification_channel.delete")],
) -> Response:
    """Delete a channel and its subscriptions; 428 without If-Match."""
    setup.delete_channel(
        store=store,
        channel_id=channel_id,
        if_match=if_match.expected(),
        version_named=if_match.named(),
        audit=audit,
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{channel_id}/test", responses={409: {"description": "No dispatcher in this process"}}
)
def test_channel(
    channel_id: str,
    container: ContainerDep,
    audit: Annotated[AuditContext, audited(P.NOTIFICATIONS_WRITE, "notification_channel.test")],
) -> DeliveryRead:
    """Send a test notification now; the answer is the delivery and its one attempt."""
    if container.notifier is None:
        raise ConflictError("this drorch has no notification dispatcher")
    delivery = setup.send_test(
        store=container.store, sender=container.notifier, channel_id=channel_id, audit=audit
    )
    return delivery_read(delivery, container.settings.link_base_url)


@router.post(
    "/{channel_id}/rotate-secret",
    responses={409: {"description": "Not a webhook channel: it has no signing secret"}},
)
def rotate_secret(
    channel_id: str,
    store: StoreDep,
    response: Response,
    audit: Annotated[
        AuditContext, audited(P.NOTIFICATIONS_WRITE, "notification_channel.rotate_secret")
    ],
) -> ChannelSavedRead:
    """Give a webhook channel a new signing secret, shown in this answer only."""
    saved = setup.rotate_secret(store=store, channel_id=channel_id, audit=audit)
    set_etag(response, saved.channel.version)
    return _saved(saved)


def _password(body: ChannelCreate) -> str | None:
    return body.password.get_secret_value() if body.password is not None else None


def _saved(saved: setup.ChannelSaved) -> ChannelSavedRead:
    return ChannelSavedRead(
        **ChannelRead.of(saved.channel).model_dump(), signing_secret=saved.new_secret
    )
