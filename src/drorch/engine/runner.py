"""The local runner: drives `advance` from the store's due-time queue with worker threads.

One dispatcher thread claims due executions (a conditional lease write per execution, so
two runners never advance the same one) and hands them to a small thread pool. It sleeps
until the next due time, at most `max_sleep`, and wakes at once when an operator action
or a new execution calls `wake()`. `stop()` stops claiming, lets running advances finish
and returns; leases of a killed runner simply expire.
"""

from __future__ import annotations

import functools
import logging
import os
import secrets
import socket
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta

from drorch.engine.advance import Advanced, Engine

log = logging.getLogger(__name__)


def worker_id() -> str:
    """A lease owner name unique to this process."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Runner:
    """Background driver of the engine (the Driver and Waker ports of bootstrap)."""

    def __init__(self, engine: Engine, *, workers: int = 4, max_sleep: float = 1.0) -> None:
        self.engine = engine
        self.workers = workers
        self.max_sleep = max_sleep
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._busy: set[str] = set()
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the dispatcher and its worker pool."""
        if self._thread is not None:
            return
        self._release_dead_local_leases()
        self._stop.clear()
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="drorch-engine")
        self._thread = threading.Thread(target=self._loop, name="drorch-runner", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop claiming work, finish the advances in flight, join the threads."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def running(self) -> bool:
        """True while the dispatcher thread is alive and not told to stop."""
        thread = self._thread
        return thread is not None and thread.is_alive() and not self._stop.is_set()

    def wake(self, execution_id: str) -> None:
        """Look at the queue now (the service already made the execution due)."""
        self._wake.set()

    def run_once(self) -> list[Advanced]:
        """Claim every due execution and advance it in this thread (tests, benches)."""
        return [self.engine.advance(i, claimed=True) for i in self._claim(limit=1000)]

    def _release_dead_local_leases(self) -> None:
        # A runner killed on this host leaves leases that would block work until they
        # expire; its pid being gone proves it will not write again.
        host = socket.gethostname()
        with self.engine.store.transaction() as uow:
            for execution_id, owner in uow.executions.leases().items():
                if _dead_local(owner, host):
                    log.info("releasing lease of dead worker %s on %s", owner, execution_id)
                    uow.executions.release(
                        execution_id, owner=owner, due_at=self.engine.clock.now()
                    )

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self._dispatch()
            except Exception:
                log.exception("runner dispatch failed")
            self._wake.wait(self._sleep_seconds())
            self._wake.clear()

    def _dispatch(self) -> None:
        with self._lock:
            free = self.workers - len(self._busy)
        if free <= 0 or self._pool is None:
            return
        for execution_id in self._claim(limit=free):
            with self._lock:
                self._busy.add(execution_id)
            future = self._pool.submit(self.engine.advance, execution_id, claimed=True)
            future.add_done_callback(functools.partial(self._done, execution_id))

    def _done(self, execution_id: str, future: Future[Advanced]) -> None:
        with self._lock:
            self._busy.discard(execution_id)
        if future.exception() is not None:
            log.error("advance of %s raised", execution_id, exc_info=future.exception())
        self._wake.set()  # a worker is free again, and the next due time may have moved

    def _claim(self, *, limit: int) -> list[str]:
        engine = self.engine
        now = engine.clock.now()
        until = now + timedelta(seconds=engine.config.lease_seconds)
        with engine.store.transaction() as uow:
            return uow.executions.claim_due(
                owner=engine.owner, now=now, lease_until=until, limit=limit
            )

    def _sleep_seconds(self) -> float:
        with self.engine.store.read() as uow:
            due = uow.executions.next_due()
        if due is None:
            return self.max_sleep
        wait = (due - self.engine.clock.now()).total_seconds()
        return min(max(wait, 0.05), self.max_sleep)


def _dead_local(owner: str, host: str) -> bool:
    """True when `owner` names a worker process of this host that no longer runs."""
    parts = owner.split(":")
    if len(parts) != 3 or parts[0] != host or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
