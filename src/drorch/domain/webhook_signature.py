"""The webhook signature: HMAC-SHA256 over `<timestamp>.<body>` with the channel's secret.

Headers: `X-Drorch-Timestamp: <unix seconds>` and `X-Drorch-Signature: v1=<hex digest>`.
A receiver recomputes the digest over the raw body bytes, compares it in constant time and
refuses timestamps too far from its own clock (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "X-Drorch-Signature"
TIMESTAMP_HEADER = "X-Drorch-Timestamp"
EVENT_HEADER = "X-Drorch-Event"
DELIVERY_HEADER = "X-Drorch-Delivery"
SCHEME = "v1"
SECRET_PREFIX = "whsec_"
TOLERANCE_SECONDS = 300


def new_secret() -> str:
    """A fresh signing secret (shown once, when a webhook channel is made or rotated)."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for this timestamp and raw body."""
    signed = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def verify(
    secret: str,
    timestamp: str,
    body: bytes,
    header: str,
    *,
    now: float,
    tolerance: float = TOLERANCE_SECONDS,
) -> bool:
    """True when `header` signs this body at this timestamp, and the timestamp is recent."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, int(timestamp), body), header)
