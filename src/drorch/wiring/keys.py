"""Wiring of the shared keys: read once, before anything signs a cursor or a token."""

from __future__ import annotations

from drorch.config import Settings


def with_shared_keys(settings: Settings) -> Settings:
    """`settings` with the cursor and token keys of the named secret (as given without one).

    On Lambda every instance has its own /tmp, so keys kept in the data dir would differ
    per instance; the secret's keys replace DRORCH_CURSOR_SECRET and DRORCH_JWT_SECRET.
    """
    if not settings.keys_secret:
        return settings
    from drorch.adapters.aws.secrets import read_shared_keys
    from drorch.adapters.aws.sts import StsSessions

    hub = StsSessions(region=settings.aws_region, endpoint_url=settings.aws_endpoint_url_sts)
    client = hub.session(None, purpose="keys").client(
        "secretsmanager",
        region_name=settings.aws_region,
        endpoint_url=settings.secretsmanager_endpoint_url,
    )
    keys = read_shared_keys(client, settings.keys_secret)
    return settings.model_copy(update={"cursor_secret": keys.cursor, "jwt_secret": keys.jwt})
