"""Giving freed heap memory back to the operating system (glibc's `malloc_trim`).

A busy `drorch serve` frees most of what it allocates within a pass or a request: JSON
texts of records, DRS responses, SQLite pages, pydantic's buffers. glibc keeps freed
chunks inside its per-thread arenas, so the resident size follows the worst moment of
every arena, not what the process holds. Measured in the 5,000-server drill, half of the
malloc heap was free but resident. `malloc_trim(0)` returns the free pages of every arena;
it takes 1-3 ms, so once a second costs well under 1 % of a core. Elsewhere than glibc
(macOS, musl) there is nothing to call and the trimmer does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import threading
from collections.abc import Callable

log = logging.getLogger(__name__)


def libc_trim() -> Callable[[], bool] | None:
    """glibc's `malloc_trim(0)` as a call returning whether memory was released; None elsewhere."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        function = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_size_t]
    function.restype = ctypes.c_int
    return lambda: bool(function(0))


class MemoryTrimmer:
    """A background thread trimming the malloc heap every `seconds` (a Background port)."""

    def __init__(self, seconds: float, trim: Callable[[], bool] | None = None) -> None:
        self.seconds = seconds
        self.trims = 0
        self._trim = trim if trim is not None else libc_trim()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def available(self) -> bool:
        """True when this platform has a heap to trim."""
        return self._trim is not None

    def start(self) -> None:
        """Start trimming (nothing starts where there is nothing to call)."""
        if self._thread is not None or self._trim is None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="drorch-trim", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop trimming and join the thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def trim_now(self) -> bool:
        """Trim once, now; True when memory went back to the system."""
        if self._trim is None:
            return False
        self.trims += 1
        return self._trim()

    def _loop(self) -> None:
        while not self._stop.wait(self.seconds):
            try:
                self.trim_now()
            except Exception:  # never let housekeeping take the process down
                log.exception("malloc_trim failed; no longer trimming")
                return
