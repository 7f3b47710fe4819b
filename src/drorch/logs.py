"""Logging set-up from Settings: plain text for people, JSON lines for collectors.

Every line carries the request id, the execution id and the caller's username of the
context it was written in (drorch.logcontext), or `-`. Nothing logs a token, a password
or a key: the fields are ids and names only.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from drorch import logcontext
from drorch.config import Settings

# Kept for callers that set the request id through this module.
request_id = logcontext.request_id
# Structured fields a log call may pass with `extra=`, copied into the JSON line.
EXTRA_FIELDS = ("method", "route", "status", "duration_ms", "client")


class ContextFilter(logging.Filter):
    """Adds `request_id`, `execution_id` and `principal` to each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Always keep the record."""
        record.request_id = logcontext.request_id.get()
        record.execution_id = logcontext.execution_id.get()
        record.principal = logcontext.principal.get()
        return True


# The old name, for code that installs the filter itself.
RequestIdFilter = ContextFilter


class JsonFormatter(logging.Formatter):
    """One JSON object per record."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            "execution_id": getattr(record, "execution_id", "-"),
            "principal": getattr(record, "principal", "-"),
        }
        for name in EXTRA_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(settings: Settings) -> None:
    """Route drorch's loggers to stderr at the configured level and format."""
    handler = logging.StreamHandler()
    if settings.log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter(
                "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(execution_id)s "
                "%(principal)s]: %(message)s"
            )
        )
    handler.addFilter(ContextFilter())
    logger = logging.getLogger("drorch")
    logger.handlers[:] = [handler]
    logger.setLevel(settings.log_level)
    logger.propagate = False
