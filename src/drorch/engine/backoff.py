"""Exponential backoff with jitter that honours Retry-After (pure)."""

from __future__ import annotations


def delay(
    attempts: int, *, base: float, cap: float, jitter: float, retry_after: float | None = None
) -> float:
    """Seconds to wait before attempt `attempts + 1`; `jitter` in [0, 1) spreads callers out."""
    # The exponent is bounded: a scope failing for hours must not overflow the float.
    exponential: float = min(cap, base * 2.0 ** min(max(attempts - 1, 0), 64))
    # "Equal jitter": keep half the backoff, randomise the other half.
    spread = exponential / 2 + exponential / 2 * jitter
    return max(spread, retry_after or 0.0)
