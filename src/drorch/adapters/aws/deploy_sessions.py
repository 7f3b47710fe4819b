"""Sessions for `drorch deploy`: the hub's credentials from a named profile or the default chain."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import boto3
from botocore.exceptions import BotoCoreError, ClientError, ProfileNotFound
from botocore.parsers import ResponseParserError

from drorch.adapters.aws.sts import StsSessions
from drorch.errors import DeployError, SessionError


def profile_sessions(*, profile: str | None, region: str, endpoint_url: str | None) -> StsSessions:
    """A session provider whose hub session is `profile` (None: environment, SSO, instance role)."""
    try:
        hub = boto3.session.Session(profile_name=profile, region_name=region)
    except ProfileNotFound as exc:
        raise SessionError(
            f"no AWS profile named {profile!r} (aws configure list-profiles shows them)",
            account_id="hub",
            step="profile",
        ) from exc
    return StsSessions(hub=hub, region=region, endpoint_url=endpoint_url)


@contextmanager
def aws_errors(what: str) -> Iterator[None]:
    """Turn AWS's refusals inside the block into a DeployError naming `what` and the code."""
    try:
        yield
    except ClientError as exc:
        error = exc.response.get("Error", {})
        code = str(error.get("Code", ""))
        message = str(error.get("Message", "")) or str(exc)
        raise DeployError(f"{what}: {code}: {message}", code=code) from exc
    except (BotoCoreError, ResponseParserError) as exc:
        # An endpoint answering in the wrong protocol (a fake's error) fails to parse.
        raise DeployError(f"{what}: {' '.join(str(exc).split())}", code="") from exc
