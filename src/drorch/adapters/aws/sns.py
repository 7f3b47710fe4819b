"""The SNS channel: publish to a topic with a client from the session provider."""

from __future__ import annotations

import json
import threading
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from drorch.domain.notifications import Channel, SnsConfig
from drorch.errors import DeliveryError
from drorch.ports.notifier import Outgoing, Sent
from drorch.ports.sessions import SessionProvider

# The dispatcher retries with its own backoff; one quick try per attempt here.
SNS_CONFIG = Config(
    retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=10
)
MAX_SUBJECT = 100  # SNS refuses longer subjects


class SnsSender:
    """Publishes to SNS topics in the hub account, one client per Region."""

    def __init__(self, sessions: SessionProvider, *, endpoint_url: str | None = None) -> None:
        self._sessions = sessions
        self._endpoint_url = endpoint_url
        self._clients: dict[str, Any] = {}
        self._lock = threading.Lock()

    def send(self, channel: Channel, message: Outgoing) -> Sent:
        """Publish the JSON document, the title as subject; SNS's HTTP status."""
        config = channel.config
        assert isinstance(config, SnsConfig)
        try:
            answer = self._client(config.region).publish(
                TopicArn=config.topic_arn,
                Subject=_subject(message.title),
                Message=json.dumps(message.document, separators=(",", ":"), sort_keys=True),
                MessageAttributes={
                    "kind": {"DataType": "String", "StringValue": message.kind},
                    "delivery": {"DataType": "String", "StringValue": message.delivery_id},
                },
            )
        except ClientError as exc:
            error = exc.response.get("Error", {})
            status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            raise DeliveryError(
                f"SNS {config.topic_arn}: {error.get('Code', 'error')}: {error.get('Message', '')}",
                status_code=status,
            ) from exc
        except BotoCoreError as exc:
            raise DeliveryError(f"SNS {config.topic_arn}: {exc}") from exc
        return Sent(status_code=200, detail=str(answer.get("MessageId", "")))

    def _client(self, region: str) -> Any:
        with self._lock:
            if region not in self._clients:
                session = self._sessions.session(None, purpose="notify")
                self._clients[region] = session.client(
                    "sns", region_name=region, endpoint_url=self._endpoint_url, config=SNS_CONFIG
                )
            return self._clients[region]


def _subject(title: str) -> str:
    # ASCII printable only, and at most 100 characters: SNS's rules for Subject.
    cleaned = "".join(c if 32 <= ord(c) < 127 else "?" for c in title)
    return cleaned[:MAX_SUBJECT]
