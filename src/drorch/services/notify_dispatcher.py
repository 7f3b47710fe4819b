"""The notification dispatcher: feed -> outbox -> channels, in the background of serve/worker.

Each pass reads timeline events committed since the last pass into the outbox, raises the
`execution stuck` notices when due, then claims due deliveries (a lease written in the
store, so two workers never send one delivery at once) and sends them on a few threads.
A failed attempt is recorded and retried with doubling delays until the attempts run out.
Nothing here runs inside the engine: a slow or broken channel never holds up an execution.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from drorch.domain.notifications import (
    Attempt,
    Channel,
    Delivery,
    DeliveryStatus,
    EventKind,
    retry_delay,
)
from drorch.errors import DeliveryError
from drorch.ports.clock import Clock
from drorch.ports.notifier import ChannelSender
from drorch.ports.store import Store
from drorch.services.doctor_checks import Thresholds
from drorch.services.notifications import outgoing, pump_timeline
from drorch.services.stuck_notices import raise_stuck

log = logging.getLogger(__name__)
MAX_ERROR = 500


@dataclass(frozen=True)
class DispatchConfig:
    """How often to look, how long a claim lasts, how to retry, where links point."""

    public_url: str = "http://127.0.0.1:8080"
    poll_seconds: float = 1.0
    lease_seconds: float = 60.0
    max_attempts: int = 6
    retry_base_seconds: float = 10.0
    retry_max_seconds: float = 900.0
    stuck_every_seconds: float = 60.0
    workers: int = 4
    batch: int = 20


@dataclass(frozen=True)
class Pass:
    """What one dispatcher pass did."""

    raised: int
    stuck: list[str]
    sent: list[Delivery]


class Dispatcher:
    """Background sender of notifications (satisfies bootstrap.Background)."""

    def __init__(
        self,
        *,
        store: Store,
        sender: ChannelSender,
        clock: Clock,
        owner: str,
        config: DispatchConfig = DispatchConfig(),
        limits: Thresholds = Thresholds(),
    ) -> None:
        self.store = store
        self.sender = sender
        self.clock = clock
        self.owner = owner
        self.config = config
        self.limits = limits
        self._next_stuck: datetime | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None

    def start(self) -> None:
        """Start the dispatcher thread."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._pool = ThreadPoolExecutor(self.config.workers, thread_name_prefix="drorch-notify")
        self._thread = threading.Thread(target=self._loop, name="drorch-notify", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop after the sends in flight (each bounded by its channel's timeout)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def run_once(self) -> Pass:
        """One pass: feed, stuck notices when due, then every due delivery."""
        raised = pump_timeline(store=self.store)
        stuck = self._stuck_if_due()
        return Pass(raised=raised, stuck=stuck, sent=self.deliver_due())

    def deliver_due(self) -> list[Delivery]:
        """Claim and send due deliveries until none is left; the deliveries as recorded."""
        done: list[Delivery] = []
        while not self._stop.is_set():
            claimed = self._claim()
            if not claimed:
                return done
            if self._pool is None:
                done += [self.attempt(d, owner=self.owner) for d in claimed]
            else:
                done += list(self._pool.map(lambda d: self.attempt(d, owner=self.owner), claimed))
        return done

    def attempt(self, delivery: Delivery, *, owner: str | None) -> Delivery:
        """Send once and record the attempt; the delivery as it now stands."""
        with self.store.read() as uow:
            channel = uow.notifications.get_channel(delivery.channel_id)
        attempt = self._send(channel, delivery)
        # A test is answered at once, and a deleted channel will not come back.
        final = channel is None or delivery.kind is EventKind.TEST
        status, next_at = self._outcome(attempt, final)
        with self.store.transaction() as uow:
            kept = uow.notifications.finish_attempt(
                delivery, attempt, owner=owner, status=status, next_attempt_at=next_at
            )
        if not kept:
            log.warning("lease on notification %s was lost; attempt not recorded", delivery.id)
        return delivery.model_copy(
            update={
                "status": status,
                "next_attempt_at": next_at,
                "delivered_at": attempt.at if attempt.ok else None,
                "attempts": [*delivery.attempts, attempt],
            }
        )

    def _send(self, channel: Channel | None, delivery: Delivery) -> Attempt:
        at = self.clock.now()
        began = time.monotonic()
        code, error = self._try(channel, delivery)
        return Attempt(
            n=len(delivery.attempts) + 1,
            at=at,
            ok=error is None,
            status_code=code,
            error=error[:MAX_ERROR] if error else None,
            duration_ms=int((time.monotonic() - began) * 1000),
        )

    def _try(self, channel: Channel | None, delivery: Delivery) -> tuple[int | None, str | None]:
        """The receiver's code and the error (None when it took the message)."""
        if channel is None:
            return None, f"channel {delivery.channel_id} was deleted"
        try:
            sent = self.sender.send(channel, outgoing(delivery, self.config.public_url))
        except DeliveryError as exc:
            return exc.status_code, exc.detail
        except Exception as exc:  # a channel's failure must never stop the dispatcher
            log.exception("sending notification %s failed", delivery.id)
            return None, f"{type(exc).__name__}: {exc}"
        return sent.status_code, None

    def _outcome(self, attempt: Attempt, final: bool) -> tuple[DeliveryStatus, datetime | None]:
        if attempt.ok:
            return DeliveryStatus.DELIVERED, None
        if final or attempt.n >= self.config.max_attempts:
            return DeliveryStatus.FAILED, None
        delay = retry_delay(
            attempt.n,
            base_seconds=self.config.retry_base_seconds,
            max_seconds=self.config.retry_max_seconds,
        )
        return DeliveryStatus.RETRYING, attempt.at + timedelta(seconds=delay)

    def _claim(self) -> list[Delivery]:
        now = self.clock.now()
        until = now + timedelta(seconds=self.config.lease_seconds)
        with self.store.transaction() as uow:
            return uow.notifications.claim_deliveries(
                owner=self.owner, now=now, lease_until=until, limit=self.config.batch
            )

    def _stuck_if_due(self) -> list[str]:
        now = self.clock.now()
        if self._next_stuck is not None and now < self._next_stuck:
            return []
        self._next_stuck = now + timedelta(seconds=self.config.stuck_every_seconds)
        return raise_stuck(store=self.store, now=now, limits=self.limits).opened

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:
                log.exception("notification dispatch failed")
            self._stop.wait(self.config.poll_seconds)
