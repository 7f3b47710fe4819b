"""Names of what `drorch deploy` creates, derived from the environment name alone."""

from __future__ import annotations

import re

ENV_NAME = re.compile(r"^[a-z][a-z0-9-]{0,19}$")
TARGET_STACK = "drorch-target"


def check_env(env: str) -> str:
    """`env` if it is a valid environment name (it goes into every resource name)."""
    if not ENV_NAME.match(env):
        raise ValueError(
            f"environment name {env!r}: use 1-20 lower-case letters, digits or dashes, "
            "starting with a letter"
        )
    return env


def stack_name(env: str) -> str:
    """The main stack of an environment."""
    return f"drorch-{env}"


def deployment_bucket(account_id: str, region: str) -> str:
    """The bucket holding Lambda packages, templates and UI releases (one per account+Region)."""
    return f"drorch-deploy-{account_id}-{region}"


def table_prefix(env: str) -> str:
    """The environment's DynamoDB table prefix (the functions' DRORCH_DYNAMODB_TABLE_PREFIX)."""
    return f"drorch-{env}"
