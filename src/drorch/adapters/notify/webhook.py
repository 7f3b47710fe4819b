"""The webhook channel: POST the notification's JSON, signed with the channel's secret."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import httpx

from drorch.domain.notifications import Channel, WebhookConfig
from drorch.domain.webhook_signature import (
    DELIVERY_HEADER,
    EVENT_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    signature,
)
from drorch.errors import DeliveryError
from drorch.ports.notifier import Outgoing, Sent

USER_AGENT = "drorch-webhook/1"


class WebhookSender:
    """Sends to webhook channels; any answer but 2xx (or no answer in time) is a failure."""

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._clock = clock
        # Redirects are not followed: the signed body must reach the URL the owner gave.
        self._http = httpx.Client(timeout=timeout, transport=transport, follow_redirects=False)

    def send(self, channel: Channel, message: Outgoing) -> Sent:
        """POST the document; the receiver's status code."""
        config = channel.config
        assert isinstance(config, WebhookConfig)
        body = json.dumps(message.document, separators=(",", ":"), sort_keys=True).encode()
        headers = self.headers(channel.secret or "", body, message)
        try:
            response = self._http.post(config.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            reason = f"{type(exc).__name__}: {exc}"
            raise DeliveryError(f"webhook {_host(config.url)}: {reason}") from exc
        if not 200 <= response.status_code < 300:
            raise DeliveryError(
                f"webhook answered HTTP {response.status_code}: {response.text[:200]}",
                status_code=response.status_code,
            )
        return Sent(status_code=response.status_code)

    def headers(self, secret: str, body: bytes, message: Outgoing) -> dict[str, str]:
        """The headers of one POST: content type, event, delivery id, timestamp, signature."""
        timestamp = int(self._clock())
        return {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            EVENT_HEADER: message.kind,
            DELIVERY_HEADER: message.delivery_id,
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: signature(secret, timestamp, body),
        }

    def close(self) -> None:
        """Close the HTTP connections."""
        self._http.close()


def _host(url: str) -> str:
    # Errors name the host only: a URL's path or query may carry a token of the receiver's.
    return httpx.URL(url).host
