"""Background ports: what runs alongside the API, and the engine driver among them."""

from __future__ import annotations

from typing import Protocol


class Background(Protocol):
    """Something that runs alongside the API (runner, scheduler) and stops cleanly."""

    def start(self) -> None: ...
    def stop(self) -> None: ...


class Driver(Background, Protocol):
    """The engine driver of this process; readiness asks whether it is running."""

    def running(self) -> bool: ...
