"""Re-point the example runbook plans at this start's embedded AWS, keeping operator edits.

The embedded moto lives in memory and picks new ids for the hosted zone, the CloudFront
distribution and the REST API at every start, and `drorch demo` may serve on another port,
so what the example plans name from an earlier start names nothing now. Only those
references move; every other field (names, values, timeouts, waves, descriptions, the
point in time, added or removed actions) stays as the operator left it. Table names,
function names and ARNs are the same at every start and are never touched.
"""

from __future__ import annotations

from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from drorch.domain.actions import Action
from drorch.domain.plans import PlanDraft, Wave

# Per action type: the param that names a seeded resource, and the seeded field it takes.
REFERENCES = {
    "route53_change": ("zone_id", "zone_id"),
    "cloudfront_invalidate": ("distribution_id", "distribution_id"),
    "api_gateway_access": ("rest_api_id", "rest_api_id"),
}
LOCAL_HOSTS = ("127.0.0.1", "localhost")


class SeededIds(Protocol):
    """The seeded account and the ids moto gave this start's resources."""

    account_id: str
    zone_id: str
    distribution_id: str
    rest_api_id: str


def repoint(draft: PlanDraft, seeded: SeededIds, check_url: str) -> PlanDraft:
    """The draft with its seeded references set to this start's (a copy; equal if none moved)."""
    waves = [_wave(wave, seeded, check_url) for wave in draft.waves]
    return draft.model_copy(update={"waves": waves})


def _wave(wave: Wave, seeded: SeededIds, check_url: str) -> Wave:
    actions = [_action(action, seeded, check_url) for action in wave.actions]
    return wave.model_copy(update={"actions": actions})


def _action(action: Action, seeded: SeededIds, check_url: str) -> Action:
    params = dict(action.params)
    reference = REFERENCES.get(action.type)
    # An action the operator aimed at another account names that account's resources.
    if reference is not None and action.account_id in (None, seeded.account_id):
        param, field = reference
        if param in params:
            params[param] = getattr(seeded, field)
    if action.type == "http_check" and isinstance(params.get("url"), str):
        params["url"] = _local_url(params["url"], check_url)
    return action.model_copy(update={"params": params})


def _local_url(url: str, check_url: str) -> str:
    """`url` served by this process again when it is the standby API's stand-in."""
    old, fresh = urlsplit(url), urlsplit(check_url)
    if old.path != fresh.path or old.hostname not in LOCAL_HOSTS:
        return url  # somewhere else: the operator's own check
    parts: Any = old._replace(scheme=fresh.scheme, netloc=fresh.netloc)
    return str(urlunsplit(parts))
