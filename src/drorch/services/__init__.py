"""Use cases: keyword-only functions taking the ports they need."""
