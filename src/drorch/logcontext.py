"""What the current log line is about: the request, the execution, the caller.

Context variables, so each API request and each engine advance sees its own values;
stdlib only, so every layer (the engine included) may set them.
"""

from __future__ import annotations

from contextvars import ContextVar

# The id of the API request being served (set by the API's middleware).
request_id: ContextVar[str] = ContextVar("request_id", default="-")
# The execution an engine advance is working on.
execution_id: ContextVar[str] = ContextVar("execution_id", default="-")
# The signed-in caller's username (set once the bearer token is verified).
principal: ContextVar[str] = ContextVar("principal", default="-")
