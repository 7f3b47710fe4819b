"""One container per warm Lambda: built from the settings on the first invoke, then kept."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from drorch.bootstrap import Container
    from drorch.config import Settings

_lock = threading.Lock()
_container: Container | None = None


def container() -> Container:
    """The warm Lambda's container, built from `Settings()` on first use."""
    global _container
    with _lock:
        if _container is None:
            _container = _build()
        return _container


def lambda_settings(settings: Settings) -> Settings:
    """The settings as a Lambda runs them: no response streaming behind API Gateway."""
    return settings.model_copy(update={"stream_snapshot": True})


def reset() -> None:
    """Forget the container (a cold start follows) and close its store."""
    global _container
    with _lock:
        if _container is not None:
            _container.store.close()
        _container = None


def _build() -> Container:
    from drorch.bootstrap import bootstrap
    from drorch.config import Settings

    # No background workers start here: Step Functions, EventBridge and the scheduler
    # Lambda call the handlers instead, and a frozen Lambda would stall any thread.
    return bootstrap(lambda_settings(Settings()))
