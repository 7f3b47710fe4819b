"""Durable orchestration: observe -> apply (pure) -> decide (pure) -> act (idempotent)."""
