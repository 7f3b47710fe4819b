"""CognitoVerifier against real tokens from moto server's Cognito and the JWKS it serves."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from drorch.adapters.clock import ManualClock
from drorch.adapters.identity.cognito import CognitoVerifier
from drorch.domain.identity import Principal, Role, Source
from drorch.errors import ForbiddenError, IdentityUnavailableError, UnauthenticatedError
from tests.integration.identity.conftest import OTHER_GROUP, Pool
from tests.support.server import HOST, free_port


def verifier(pool: Pool, **overrides: object) -> CognitoVerifier:
    """A verifier for the pool's first app client, keys fetched from moto."""
    kwargs: dict[str, object] = {
        "issuer": pool.issuer,
        "client_id": pool.client_id,
        "jwks_url": pool.jwks_url,
    }
    kwargs.update(overrides)
    return CognitoVerifier(**kwargs)  # type: ignore[arg-type]


def at(offset: timedelta) -> ManualClock:
    """A clock standing `offset` away from now."""
    return ManualClock(datetime.now(UTC) + offset)


def with_claims(token: str, **changes: object) -> str:
    """The token with its payload changed but its original signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def rsa_token(claims: dict[str, object], headers: dict[str, str] | None = None) -> str:
    """An RS256 token signed by a key of our own (not the pool's)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims, key, algorithm="RS256", headers=headers)


def test_access_token_of_an_operator_gives_the_operator_principal(pool: Pool) -> None:
    username = pool.add_user(["drorch-operator"])
    tokens = pool.sign_in(username)

    principal = verifier(pool).verify(tokens["AccessToken"])

    assert principal == Principal(
        subject=pool.sub(username),
        username=username,
        display_name=username,
        role=Role.OPERATOR,
        source=Source.COGNITO,
    )


def test_id_token_carries_the_name_and_the_strongest_group_wins(pool: Pool) -> None:
    username = pool.add_user(
        ["drorch-viewer", "drorch-plan-manager", "drorch-auditor"],
        name="Ada Lovelace",
        email="ada@example.com",
    )
    principal = verifier(pool).verify(pool.sign_in(username)["IdToken"])

    assert principal is not None
    assert (principal.username, principal.display_name) == (username, "Ada Lovelace")
    assert principal.role is Role.PLAN_MANAGER
    assert principal.subject == pool.sub(username)


def test_id_token_without_a_name_shows_the_email(pool: Pool) -> None:
    username = pool.add_user(["drorch-admin", "drorch-viewer"], email="grace@example.com")
    principal = verifier(pool).verify(pool.sign_in(username)["IdToken"])

    assert principal is not None
    assert (principal.display_name, principal.role) == ("grace@example.com", Role.ADMIN)


def test_a_configured_mapping_replaces_the_default_groups(pool: Pool) -> None:
    username = pool.add_user([OTHER_GROUP, "drorch-admin"])
    custom = verifier(pool, group_roles={OTHER_GROUP: Role.RECOVERY_MANAGER})

    principal = custom.verify(pool.sign_in(username)["AccessToken"])

    assert principal is not None and principal.role is Role.RECOVERY_MANAGER


@pytest.mark.parametrize("groups", [[OTHER_GROUP], []], ids=["unmapped-group", "no-group"])
def test_a_user_in_no_mapped_group_is_forbidden(pool: Pool, groups: list[str]) -> None:
    username = pool.add_user(groups)
    tokens = pool.sign_in(username)

    for kind in ("AccessToken", "IdToken"):
        with pytest.raises(ForbiddenError, match=f"{username} is in no group mapped"):
            verifier(pool).verify(tokens[kind])


def test_a_tampered_token_is_refused(pool: Pool) -> None:
    username = pool.add_user(["drorch-viewer"])
    token = pool.sign_in(username)["AccessToken"]
    forged = with_claims(token, **{"cognito:groups": ["drorch-admin"]})

    with pytest.raises(UnauthenticatedError, match="bad signature"):
        verifier(pool).verify(forged)


def test_an_expired_token_is_refused_and_a_fresh_one_accepted(pool: Pool) -> None:
    username = pool.add_user(["drorch-viewer"])
    token = pool.sign_in(username)["AccessToken"]  # moto's tokens live one hour

    assert verifier(pool, clock=at(timedelta(minutes=50))).verify(token) is not None
    with pytest.raises(UnauthenticatedError, match="expired"):
        verifier(pool, clock=at(timedelta(minutes=61))).verify(token)


def test_a_token_issued_in_the_future_is_refused(pool: Pool) -> None:
    token = pool.sign_in(pool.add_user(["drorch-viewer"]))["AccessToken"]

    with pytest.raises(UnauthenticatedError, match="future"):
        verifier(pool, clock=at(timedelta(minutes=-5))).verify(token)


@pytest.mark.parametrize("kind", ["AccessToken", "IdToken"])
def test_a_token_of_another_app_client_is_refused(pool: Pool, kind: str) -> None:
    username = pool.add_user(["drorch-admin"])
    token = pool.sign_in(username, client_id=pool.other_client_id)[kind]

    with pytest.raises(UnauthenticatedError, match="another app client"):
        verifier(pool).verify(token)
    assert verifier(pool, client_id=pool.other_client_id).verify(token) is not None


def test_a_token_of_another_pool_is_refused_though_its_signature_is_good(
    pool: Pool, other_pool: Pool
) -> None:
    username = other_pool.add_user(["drorch-admin"])
    token = other_pool.sign_in(username)["AccessToken"]

    with pytest.raises(UnauthenticatedError, match="another issuer"):
        verifier(pool, client_id=other_pool.client_id).verify(token)


def test_an_access_token_whose_token_use_was_changed_is_refused(pool: Pool) -> None:
    token = pool.sign_in(pool.add_user(["drorch-viewer"]))["AccessToken"]
    forged = with_claims(token, token_use="id", aud=pool.client_id)

    with pytest.raises(UnauthenticatedError):
        verifier(pool).verify(forged)


def test_a_key_id_the_pool_does_not_publish_is_refused(pool: Pool) -> None:
    token = rsa_token({"iss": pool.issuer, "sub": "x"}, headers={"kid": "not-in-the-jwks"})

    with pytest.raises(UnauthenticatedError, match="unknown key"):
        verifier(pool).verify(token)


@pytest.mark.parametrize(
    "token",
    [
        jwt.encode({"sub": "u-1", "iss": "drorch"}, "a-local-hs256-secret-of-32-bytes!"),
        rsa_token({"sub": "no-kid"}),
        "drt_abc123.secretsecret",
        "",
    ],
    ids=["local-hs256-jwt", "rs256-without-kid", "api-token", "empty"],
)
def test_tokens_not_shaped_like_cognito_are_not_ours(pool: Pool, token: str) -> None:
    assert verifier(pool).verify(token) is None


def test_an_unreachable_jwks_is_a_provider_outage_not_a_bad_token(pool: Pool) -> None:
    token = pool.sign_in(pool.add_user(["drorch-viewer"]))["AccessToken"]
    nowhere = f"http://{HOST}:{free_port()}/{pool.pool_id}/.well-known/jwks.json"

    with pytest.raises(IdentityUnavailableError):
        verifier(pool, jwks_url=nowhere, jwks_timeout=2.0).verify(token)


def test_the_jwks_url_defaults_to_the_issuers_well_known_path(pool: Pool) -> None:
    token = pool.sign_in(pool.add_user(["drorch-viewer"]))["AccessToken"]
    # Served by moto itself, so the issuer's default path is reachable there.
    on_moto = CognitoVerifier(issuer=f"{pool.moto.url}/{pool.pool_id}", client_id=pool.client_id)

    with pytest.raises(UnauthenticatedError, match="another issuer"):
        on_moto.verify(token)


class CountingJwks:
    """Serves a copy of the pool's JWKS on 127.0.0.1 and counts the fetches."""

    def __init__(self, body: bytes) -> None:
        self.fetches = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.fetches += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                pass  # keep the test output clean

        self.server = ThreadingHTTPServer((HOST, 0), Handler)
        self.url = f"http://{HOST}:{self.server.server_address[1]}/jwks.json"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def counting_jwks(pool: Pool) -> Iterator[CountingJwks]:
    """The pool's keys behind a server that counts how often they are fetched."""
    served = CountingJwks(httpx.get(pool.jwks_url, timeout=5).content)
    yield served
    served.close()


def test_keys_are_fetched_once_and_unknown_key_ids_do_not_refetch_them(
    pool: Pool, counting_jwks: CountingJwks
) -> None:
    check = verifier(pool, jwks_url=counting_jwks.url)
    tokens = [pool.sign_in(pool.add_user(["drorch-viewer"]))["AccessToken"] for _ in range(3)]

    assert all(check.verify(token) is not None for token in tokens)
    for n in range(5):
        with pytest.raises(UnauthenticatedError, match="unknown key"):
            check.verify(rsa_token({"iss": pool.issuer, "sub": "x"}, headers={"kid": f"k{n}"}))

    assert counting_jwks.fetches == 1
