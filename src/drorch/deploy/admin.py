"""The first admin user: created in the user pool and put in the admin group, once."""

from __future__ import annotations

from typing import Any

from drorch.deploy.aws import aws_errors
from drorch.errors import DeployError

ADMIN_GROUP = "drorch-admin"


def ensure_admin(idp: Any, *, pool_id: str, email: str, password: str | None) -> str:
    """Create `email` as an admin unless it exists; `created` or `exists`.

    Without a password Cognito emails a temporary one; with one (read from stdin) it is set as
    the temporary password and no email goes out. Either way it must be changed at first
    sign-in.
    """
    created = _create(idp, pool_id=pool_id, email=email, password=password)
    with aws_errors(f"add {email} to {ADMIN_GROUP}"):
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName=ADMIN_GROUP)
    return "created" if created else "exists"


def _create(idp: Any, *, pool_id: str, email: str, password: str | None) -> bool:
    request: dict[str, Any] = {
        "UserPoolId": pool_id,
        "Username": email,
        "UserAttributes": [
            {"Name": "email", "Value": email},
            {"Name": "email_verified", "Value": "true"},
        ],
    }
    if password is None:
        request["DesiredDeliveryMediums"] = ["EMAIL"]
    else:
        request["TemporaryPassword"] = password
        request["MessageAction"] = "SUPPRESS"
    try:
        with aws_errors(f"create admin user {email}"):
            idp.admin_create_user(**request)
    except DeployError as exc:
        if exc.extra.get("code") == "UsernameExistsException":
            return False
        raise
    return True
