"""The API Lambda: the FastAPI app behind API Gateway (HTTP API, payload v2) via Mangum."""

from __future__ import annotations

import threading
from typing import Any

from drorch.lambdas.runtime import cold_start, published

_lock = threading.Lock()
_handler: Any = None


@published
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Answer one API Gateway request with the same app `drorch serve` runs."""
    if _handler is not None:
        warm: dict[str, Any] = _handler(event, context)
        return warm
    with cold_start():  # the first request imports its routers: part of the cold start
        answer: dict[str, Any] = _app()(event, context)
    return answer


def _app() -> Any:
    global _handler
    with _lock:
        if _handler is None:
            from mangum import Mangum
            from mangum.adapter import DEFAULT_TEXT_MIME_TYPES

            from drorch.api.app import create_app
            from drorch.lambdas.runtime import container

            # lifespan off: the app's lifespan starts the background workers, which a
            # Lambda must not run (its engine is driven by Step Functions).
            # Problems are JSON text too: without this Mangum would send them base64-encoded.
            text = [*DEFAULT_TEXT_MIME_TYPES, "application/problem+json"]
            # Lazy routers: a cold start imports only the routers its requests reach.
            app = create_app(container(), lazy_routers=True)
            _handler = Mangum(app, lifespan="off", text_mime_types=text)
        return _handler
