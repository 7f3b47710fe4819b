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
        request, execution = logcontext.request_id.get(), logcontext.execution_id.get()
        principal = logcontext.principal.get()
        record.request_id, record.execution_id, record.principal = request, execution, principal
        record.context = _context_text(request, execution, principal)
        return True


def _context_text(request: str, execution: str, principal: str) -> str:
    """`req-1`, `req-1 ex=ex-1`, `- by=alice`: the request id, then whatever else is set."""
    parts = [request]
    if execution != "-":
        parts.append(f"ex={execution}")
    if principal != "-":
        parts.append(f"by={principal}")
    return " ".join(parts)


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
            logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(context)s]: %(message)s")
        )
    handler.addFilter(ContextFilter())
    logger = logging.getLogger("drorch")
    logger.handlers[:] = [handler]
    logger.setLevel(settings.log_level)
    logger.propagate = False
