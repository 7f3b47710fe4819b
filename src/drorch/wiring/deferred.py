"""A part of the container built on first use, so a process that never uses it never pays.

A cold Lambda answers one request: the notification channels (TLS contexts, SMTP, HTTP
client), the AWS action executors or the engine's modules are rarely what it needs, yet
building them eagerly cost a good share of its start. `Deferred` stands for such a part:
the first attribute read builds it (once, under a lock) and every read goes to it after.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


class Deferred:
    """Stands for the object `build` makes; built on the first attribute read."""

    def __init__(self, build: Callable[[], Any]) -> None:
        self._build: Callable[[], Any] | None = build
        self._built: Any = None
        self._lock = threading.Lock()

    def resolve(self) -> Any:
        """The object itself, built now if it was not yet."""
        with self._lock:
            if self._build is not None:
                self._built = self._build()
                self._build = None  # what it closed over may go
            return self._built

    def built(self) -> bool:
        """Whether the object was built (tests, diagnostics)."""
        return self._build is None

    def __getattr__(self, name: str) -> Any:
        # Only names the proxy lacks come here: everything the object offers.
        return getattr(self.resolve(), name)

    def __repr__(self) -> str:
        state = "built" if self.built() else "not built yet"
        return f"Deferred({state})"
