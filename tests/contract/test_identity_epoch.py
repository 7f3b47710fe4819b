"""The identity epoch: what lets the API keep verified principals, on every store.

The wiring turns the principal cache on for a store that has `identity_epoch`
(wiring/identity.py); these tests hold each store to what the cache relies on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from drorch.adapters.identity.cache import PrincipalCache
from drorch.adapters.identity.local import ApiTokenVerifier
from drorch.domain.identity import Role
from drorch.domain.tokens import API_TOKEN_PREFIX, hash_secret, new_opaque
from drorch.domain.users import ApiToken
from drorch.errors import UnauthenticatedError
from drorch.ports.identity import IdentityEpoch
from drorch.ports.store import Store
from tests.contract.test_races import a_session, a_user

NOW = datetime.now(UTC).replace(microsecond=0)


def epoch(store: Store) -> int:
    assert isinstance(store, IdentityEpoch), "the store cannot say when identity changed"
    return store.identity_epoch()


def test_the_identity_epoch_moves_with_every_change_that_can_narrow_access(
    store: Store,
) -> None:
    user = a_user()
    token = ApiToken(
        id="tok-1",
        user_id="u-1",
        name="ci",
        role=Role.VIEWER,
        created_at=NOW,
        expires_at=NOW + timedelta(days=1),
    )
    with store.transaction() as uow:
        uow.users.add(user, "hash")
        uow.tokens.add_refresh(a_session(), "secret")
        uow.tokens.add_api_token(token, "secret")
    seen = [epoch(store)]

    def moved(change: Callable[[Any], object]) -> None:
        with store.transaction() as uow:
            change(uow)
        seen.append(epoch(store))
        assert seen[-1] > seen[-2], f"the epoch stood still at {seen[-1]}"

    moved(
        lambda uow: uow.users.update(user.model_copy(update={"enabled": False}), expected_version=1)
    )
    moved(lambda uow: uow.users.set_password_hash(user.id, "new-hash"))
    moved(lambda uow: uow.tokens.mark_refresh_used("rt-1", NOW))
    moved(lambda uow: uow.tokens.revoke_family("rt-1", NOW))
    moved(lambda uow: uow.tokens.revoke_api_token("tok-1", NOW))
    with store.read() as uow:  # reads move nothing
        uow.users.get(user.id)
        uow.tokens.api_tokens()
    with pytest.raises(RuntimeError), store.transaction() as uow:
        uow.users.set_password_hash(user.id, "rolled back")
        raise RuntimeError("the unit fails: its change, and the epoch's, are not kept")
    assert epoch(store) == seen[-1]


def test_a_cached_principal_is_dropped_the_moment_its_user_is_disabled(store: Store) -> None:
    user = a_user()
    text, parts = new_opaque(API_TOKEN_PREFIX, "tk")
    token = ApiToken(
        id=parts.token_id,
        user_id=user.id,
        name="ci",
        role=Role.OPERATOR,
        created_at=NOW,
        expires_at=NOW + timedelta(days=1),
    )
    with store.transaction() as uow:
        uow.users.add(user, "hash")
        uow.tokens.add_api_token(token, hash_secret(parts.secret))
    cache = PrincipalCache(lambda: epoch(store), ttl=timedelta(minutes=5))
    check = ApiTokenVerifier(store, lambda: NOW, cache)
    assert check.verify(text) is not None
    assert check.verify(text) is not None  # now from the cache
    with store.transaction() as uow:
        uow.users.update(user.model_copy(update={"enabled": False}), expected_version=1)
    with pytest.raises(UnauthenticatedError):
        check.verify(text)
