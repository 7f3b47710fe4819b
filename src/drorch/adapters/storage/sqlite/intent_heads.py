"""Intent heads as the SQLite store keeps them: an intent without its launch settings."""

from __future__ import annotations

from drorch.domain.executions import Intent


def intent_head_json(intent: Intent) -> str:
    """An intent's own record: everything but its launch settings (a record of their own)."""
    return intent.model_dump_json(exclude={"launch_settings"})


# Every engine pass reads its execution's open intents (100 server ids each), which mostly
# read as they did last pass: an Intent is immutable, so one parsed from the same text is
# shared. Bounded: ended intents are not read again.
_INTENTS: dict[str, Intent] = {}
MAX_PARSED_INTENTS = 2_000


def parsed_intent(body: str) -> Intent:
    """The Intent of a stored intent head (parsed once per distinct text)."""
    found = _INTENTS.get(body)
    if found is None:
        if len(_INTENTS) >= MAX_PARSED_INTENTS:
            _INTENTS.clear()
        found = _INTENTS[body] = Intent.model_validate_json(body)
    return found
