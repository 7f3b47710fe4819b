"""The notification routers, included by the app as one."""

from __future__ import annotations

from fastapi import APIRouter

from drorch.api import security
from drorch.api.notifications import channels, deliveries, subscriptions

router = APIRouter()
for _part in (channels.router, subscriptions.router, deliveries.router):
    # Marked before inclusion: the included copies keep each route's OpenAPI marks.
    security.annotate(_part)
    router.include_router(_part)
