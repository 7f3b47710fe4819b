"""A moto server with one Cognito user pool, its app clients, the drorch groups and users."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from drorch.adapters.identity.cognito import DEFAULT_GROUP_ROLES
from tests.support.moto_server import REGION, RunningMoto, running_moto

PASSWORD = "Correct-Horse-42-battery"
OTHER_GROUP = "finance-team"
_users = itertools.count(1)


@dataclass(frozen=True)
class Pool:
    """A user pool on moto and the ways to get tokens from it."""

    moto: RunningMoto
    idp: Any
    pool_id: str
    client_id: str
    other_client_id: str

    @property
    def issuer(self) -> str:
        """The iss Cognito (and moto) writes: the AWS host, not moto's address."""
        return f"https://cognito-idp.{REGION}.amazonaws.com/{self.pool_id}"

    @property
    def jwks_url(self) -> str:
        """Where moto serves the pool's keys."""
        return f"{self.moto.url}/{self.pool_id}/.well-known/jwks.json"

    def add_user(self, groups: list[str], **attributes: str) -> str:
        """A confirmed user with a password, in `groups`; returns the username."""
        username = f"user{next(_users):03d}"
        attrs = [{"Name": k, "Value": v} for k, v in attributes.items()]
        self.idp.admin_create_user(UserPoolId=self.pool_id, Username=username, UserAttributes=attrs)
        self.idp.admin_set_user_password(
            UserPoolId=self.pool_id, Username=username, Password=PASSWORD, Permanent=True
        )
        for group in groups:
            self.idp.admin_add_user_to_group(
                UserPoolId=self.pool_id, Username=username, GroupName=group
            )
        return username

    def sign_in(self, username: str, client_id: str | None = None) -> dict[str, Any]:
        """admin_initiate_auth with the password: the AuthenticationResult (tokens)."""
        answer = self.idp.admin_initiate_auth(
            UserPoolId=self.pool_id,
            ClientId=client_id or self.client_id,
            AuthFlow="ADMIN_USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD},
        )
        result: dict[str, Any] = answer["AuthenticationResult"]
        return result

    def sub(self, username: str) -> str:
        """The user's Cognito sub, as admin_get_user reports it."""
        user = self.idp.admin_get_user(UserPoolId=self.pool_id, Username=username)
        return str(next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub"))


def create_pool(moto: RunningMoto, name: str) -> Pool:
    """A user pool with two app clients and every drorch group plus an unrelated one."""
    idp = moto.client("cognito-idp")
    pool_id = idp.create_user_pool(PoolName=name)["UserPool"]["Id"]
    flows = ["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    clients = [
        idp.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=client,
            ExplicitAuthFlows=flows,
            ReadAttributes=["name", "email"],  # what id tokens may carry
        )["UserPoolClient"]["ClientId"]
        for client in ("drorch-cli", "another-app")
    ]
    for group in [*DEFAULT_GROUP_ROLES, OTHER_GROUP]:
        idp.create_group(UserPoolId=pool_id, GroupName=group)
    return Pool(moto, idp, pool_id, clients[0], clients[1])


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningMoto]:
    """One moto server for the module."""
    with running_moto(tmp_path_factory.mktemp("moto")) as server:
        yield server


@pytest.fixture(scope="module")
def pool(moto: RunningMoto) -> Pool:
    """The drorch user pool."""
    return create_pool(moto, "drorch")


@pytest.fixture(scope="module")
def other_pool(moto: RunningMoto) -> Pool:
    """A second pool on the same moto (moto signs every pool's tokens with one key)."""
    return create_pool(moto, "elsewhere")
