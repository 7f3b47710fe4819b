"""One ChannelSender over the per-type adapters."""

from __future__ import annotations

from collections.abc import Mapping

from drorch.domain.notifications import Channel, ChannelType
from drorch.errors import DeliveryError
from drorch.ports.notifier import ChannelSender, Outgoing, Sent


class ChannelSenders:
    """Implements `drorch.ports.notifier.ChannelSender` by handing each channel to its type's."""

    def __init__(self, by_type: Mapping[ChannelType, ChannelSender]) -> None:
        self._by_type = dict(by_type)

    def send(self, channel: Channel, message: Outgoing) -> Sent:
        """Send through the adapter of the channel's type."""
        sender = self._by_type.get(channel.type)
        if sender is None:
            raise DeliveryError(f"this drorch cannot send to {channel.type} channels")
        return sender.send(channel, message)
