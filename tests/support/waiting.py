"""Waiting in tests: poll a read until a check holds, and keep a clock moving meanwhile."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import pytest

T = TypeVar("T")
POLL_SECONDS = 0.05


def wait_until(
    read: Callable[[], T], check: Callable[[T], bool], *, limit: float, failure: Callable[[T], str]
) -> T:
    """`read()` again until `check` holds on it; after `limit` seconds fail with `failure(last)`.

    `limit` is a safety net for a broken system, not a performance expectation.
    """
    deadline = time.monotonic() + limit
    while True:
        value = read()
        if check(value):
            return value
        if time.monotonic() > deadline:
            pytest.fail(failure(value))
        time.sleep(POLL_SECONDS)


@contextmanager
def pumping(beat: Callable[[], object], every: float) -> Iterator[None]:
    """Call `beat` in a background thread every `every` seconds while the block runs."""
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(every):
            beat()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5)
