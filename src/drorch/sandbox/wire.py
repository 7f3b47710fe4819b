"""Formatting helpers shared by the sandbox model and its wire layer: ids, times, ARNs."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

ALNUM = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def digest(*parts: object) -> bytes:
    """A stable hash of the parts, so ids are reproducible from a seed."""
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).digest()


def hex_id(length: int, *parts: object) -> str:
    """`length` lowercase hex characters derived from the parts."""
    return digest(*parts).hex()[:length]


def alnum_id(length: int, *parts: object) -> str:
    """`length` alphanumeric characters derived from the parts."""
    raw = digest(*parts)
    return "".join(ALNUM[b % len(ALNUM)] for b in raw[:length])


def iso(epoch: float) -> str:
    """An ISO 8601 UTC timestamp in the form the DRS model's pattern requires (ends in Z)."""
    m = datetime.fromtimestamp(epoch, UTC)
    return (
        f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}"
        f".{m.microsecond:06d}Z"
    )


def parse_iso(text: str) -> float:
    """Epoch seconds of an ISO 8601 timestamp; naive values count as UTC."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def duration(seconds: float) -> str:
    """An ISO 8601 duration such as `PT1H2M3S` (DRS reports lag this way)."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    text = "PT"
    if hours:
        text += f"{hours}H"
    if minutes:
        text += f"{minutes}M"
    if secs or text == "PT":
        text += f"{secs}S"
    return text


def arn(region: str, account: str, kind: str, resource_id: str) -> str:
    """The ARN of a DRS resource (`source-server`, `job`, `recovery-instance`)."""
    return f"arn:aws:drs:{region}:{account}:{kind}/{resource_id}"


def parse_arn(text: str) -> tuple[str, str, str, str] | None:
    """(region, account, kind, id) of a DRS ARN, or None when it is not one."""
    parts = text.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "drs":
        return None
    kind, sep, resource_id = parts[5].partition("/")
    if not sep:
        return None
    return parts[3], parts[4], kind, resource_id
