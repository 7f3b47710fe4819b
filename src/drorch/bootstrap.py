"""Composition root: Settings -> adapters -> the container every entry point uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from drorch.adapters.storage.sqlite import SqliteStore
from drorch.config import Settings
from drorch.logs import configure_logging
from drorch.ports.drs import DrsGateway
from drorch.ports.store import Store


class Background(Protocol):
    """Something that runs alongside the API (runner, scheduler) and stops cleanly."""

    def start(self) -> None: ...
    def stop(self) -> None: ...


@dataclass
class Container:
    """Everything wired for one process."""

    settings: Settings
    store: Store
    drs: DrsGateway | None = None
    sandbox_app: Any = None
    background: list[Background] = field(default_factory=list)

    def start(self) -> None:
        """Start the background workers."""
        for worker in self.background:
            worker.start()

    def stop(self) -> None:
        """Stop the background workers (last started, first stopped) and close the store."""
        for worker in reversed(self.background):
            worker.stop()
        self.store.close()


def bootstrap(
    settings: Settings | None = None,
    *,
    store: Store | None = None,
    drs: DrsGateway | None = None,
) -> Container:
    """Build the container; tests pass their own store or DRS gateway."""
    settings = settings or Settings()
    configure_logging(settings)
    container = Container(settings=settings, store=store or _store(settings))
    container.drs = drs or _drs(settings, container)
    return container


def _store(settings: Settings) -> Store:
    return SqliteStore(settings.db_path)


def _drs(settings: Settings, container: Container) -> DrsGateway | None:
    # The DRS adapter and the embedded sandbox are wired here (sandbox issue).
    return None
