"""/api/v1/notifications: every delivery and its attempts, newest first."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from drorch.api.deps import ContainerDep
from drorch.api.notifications.schemas import DeliveryListQuery, DeliveryRead
from drorch.api.pagination import PageRead
from drorch.api.query import documented, query_of
from drorch.api.security import require
from drorch.domain.identity import Permission, Principal
from drorch.domain.notifications import Delivery
from drorch.ports.store import DeliveryQuery
from drorch.services import notifications
from drorch.services.notifications import outgoing

router = APIRouter(prefix="/api/v1/notifications", tags=["notifications"])


@router.get("", openapi_extra=documented(DeliveryListQuery))
def list_deliveries(
    container: ContainerDep,
    _: Annotated[Principal, require(Permission.NOTIFICATIONS_READ)],
    params: Annotated[DeliveryListQuery, query_of(DeliveryListQuery)],
) -> PageRead[DeliveryRead]:
    """A page of deliveries, newest first, filtered by status, kind, channel, subject or plan."""
    page = notifications.list_deliveries(
        store=container.store, query=DeliveryQuery(**params.model_dump())
    )
    items = [delivery_read(d, container.settings.link_base_url) for d in page.items]
    return PageRead(items=items, next_cursor=page.next_cursor)


@router.get("/{delivery_id}")
def get_delivery(
    delivery_id: str,
    container: ContainerDep,
    _: Annotated[Principal, require(Permission.NOTIFICATIONS_READ)],
) -> DeliveryRead:
    """One delivery and its attempts."""
    found = notifications.get_delivery(store=container.store, delivery_id=delivery_id)
    return delivery_read(found, container.settings.link_base_url)


def delivery_read(delivery: Delivery, base_url: str) -> DeliveryRead:
    """The JSON of a delivery, with the link its message carries."""
    link = outgoing(delivery, base_url).link or ""
    return DeliveryRead.model_validate({**delivery.model_dump(), "link": link})
