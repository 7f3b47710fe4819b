"""Opaque tokens (`drt_<id>.<secret>`, `drr_<id>.<secret>`): made, split and hashed."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

API_TOKEN_PREFIX = "drt_"
REFRESH_PREFIX = "drr_"


@dataclass(frozen=True)
class OpaqueToken:
    """A `<prefix><id>.<secret>` token split into its parts."""

    token_id: str
    secret: str


def new_opaque(prefix: str, id_prefix: str) -> tuple[str, OpaqueToken]:
    """A fresh opaque token: the text to hand out once, and its parts."""
    parts = OpaqueToken(f"{id_prefix}-{secrets.token_hex(6)}", secrets.token_urlsafe(32))
    return f"{prefix}{parts.token_id}.{parts.secret}", parts


def parse_opaque(token: str, prefix: str) -> OpaqueToken | None:
    """The parts of an opaque token of this prefix, or None for any other text."""
    if not token.startswith(prefix):
        return None
    token_id, dot, secret = token[len(prefix) :].partition(".")
    if not dot or not token_id or not secret:
        return None
    return OpaqueToken(token_id, secret)


def hash_secret(secret: str) -> str:
    """SHA-256 of a random token secret (high entropy: no slow hash needed)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    """Constant-time comparison of a presented secret with a stored hash."""
    return hmac.compare_digest(hash_secret(secret), stored_hash)
