"""The data-dir lock: servers and workers hold it shared, a restore needs it alone."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = "drorch.lock"


def lock_path(data_dir: Path) -> Path:
    """The lock file of a data dir."""
    return data_dir / LOCK_FILE


@contextmanager
def held_shared(data_dir: Path) -> Iterator[None]:
    """Hold the data dir's lock shared for as long as a server or worker runs on it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path(data_dir), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        # Blocks only while a restore holds it alone, so a server never starts mid-restore.
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock, also when the process dies


@contextmanager
def held_alone(data_dir: Path) -> Iterator[bool]:
    """Try to hold the lock alone; yields False when a server or worker holds it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path(data_dir), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)
