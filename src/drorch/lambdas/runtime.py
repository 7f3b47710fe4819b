"""One container per warm Lambda: built from the settings on the first invoke, then kept."""

from __future__ import annotations

import functools
import gc
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from drorch.bootstrap import Container
    from drorch.config import Settings

log = logging.getLogger(__name__)
Handler = TypeVar("Handler", bound=Callable[..., Any])
_lock = threading.Lock()
_container: Container | None = None


def container() -> Container:
    """The warm Lambda's container, built from `Settings()` on first use."""
    global _container
    with _lock:
        if _container is None:
            with cold_start():
                _container = _build()
        return _container


@contextmanager
def cold_start() -> Iterator[None]:
    """Pause the garbage collector while a cold start builds, then freeze what it built.

    A cold start allocates a great many objects (modules, classes, pydantic schemas, the
    routes) and nearly no garbage, so the collections it would trigger scan everything for
    nothing: about a tenth of its time. Frozen afterwards, those objects, alive for the
    whole life of the Lambda, are left out of every later collection too.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
        gc.freeze()


def published(handler: Handler) -> Handler:
    """Wrap a handler so the container's metrics go out as EMF lines after every invocation."""

    @functools.wraps(handler)
    def run(event: Any, context: Any) -> Any:
        try:
            return handler(event, context)
        finally:
            flush_metrics()

    return run  # type: ignore[return-value]


def flush_metrics() -> None:
    """Print the metrics gathered since the last flush (CloudWatch EMF), when asked to."""
    box = _container
    if box is None or box.emf is None:
        return
    try:
        box.emf.flush()
    except Exception:  # metrics must never fail an invocation
        log.exception("the EMF metrics could not be written")


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
    gc.unfreeze()  # what the cold start froze may be collected again once unreferenced


def _build() -> Container:
    from drorch.bootstrap import bootstrap
    from drorch.config import Settings

    # No background workers start here: Step Functions, EventBridge and the scheduler
    # Lambda call the handlers instead, and a frozen Lambda would stall any thread.
    return bootstrap(lambda_settings(Settings()))
