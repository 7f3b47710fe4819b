"""Principals of recently verified tokens, kept while nothing about identity has changed.

Checking a token costs a signature check (JWT) or a hash comparison plus two store reads on
every request. A verifier instead remembers the principal it found, under the token's
SHA-256 digest (never the token), until the earliest of: the token's own expiry, `ttl`
after the check, or the store's identity epoch moving. The epoch moves (by triggers, in
the same transaction) with every user change, API-token revocation and session refresh or
end, whichever process writes, so a revocation, a disabled user or a lowered role takes
effect on the very next request; `ttl` bounds only what no write records (a session whose
refresh tokens expire by themselves).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from drorch.domain.identity import Principal


@dataclass(frozen=True)
class _Entry:
    principal: Principal
    epoch: int
    until: datetime


class PrincipalCache:
    """A bounded, epoch-checked map from token digests to the principals they proved."""

    def __init__(
        self,
        epoch: Callable[[], int],
        *,
        ttl: timedelta,
        max_entries: int = 4096,
    ) -> None:
        self._epoch = epoch
        self._ttl = ttl
        self._max = max_entries
        self._entries: OrderedDict[bytes, _Entry] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """False when the TTL is zero: every request is checked in full."""
        return self._ttl > timedelta(0)

    def lookup(self, token: str, now: datetime) -> tuple[Principal | None, int]:
        """The principal cached for this exact token (if still valid) and the epoch now.

        A miss hands back the epoch read *before* the caller verifies, so a change that
        lands during the verification leaves the new entry already out of date.
        """
        if not self.enabled:
            return None, -1
        epoch = self._epoch()
        key = _digest(token)
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and (now >= entry.until or entry.epoch != epoch):
                del self._entries[key]
                entry = None
        return (entry.principal if entry else None), epoch

    def put(
        self, token: str, principal: Principal, *, epoch: int, expires_at: datetime, now: datetime
    ) -> None:
        """Remember a token just verified, under the epoch `lookup` read before it."""
        if not self.enabled:
            return
        key = _digest(token)
        with self._lock:
            self._entries[key] = _Entry(principal, epoch, min(expires_at, now + self._ttl))
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()
