"""The waker port, kept importable from its old home (it lives in ports/waker.py)."""

from __future__ import annotations

from drorch.ports.waker import NoWaker, Waker

__all__ = ["NoWaker", "Waker"]
