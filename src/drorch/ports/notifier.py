"""The notifier port: send one rendered notification over one channel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from drorch.domain.notifications import Channel


@dataclass(frozen=True)
class Outgoing:
    """A notification ready to send: its words, its link and the JSON document receivers get."""

    delivery_id: str
    kind: str
    title: str
    text: str
    link: str | None
    document: dict[str, Any]


@dataclass(frozen=True)
class Sent:
    """What the receiving end answered (an HTTP or SMTP code where there is one)."""

    status_code: int | None = None
    detail: str = ""


class ChannelSender(Protocol):
    """Sends over one channel; raises `drorch.errors.DeliveryError` when it did not get through.

    Adapters bound every call with a timeout, so a dead receiver cannot hold a worker.
    """

    def send(self, channel: Channel, message: Outgoing) -> Sent: ...
