"""The shared keys read from a secret: derived from one generated value, or named."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber

from drorch.adapters.aws.secrets import parse_keys, read_shared_keys
from drorch.errors import KeysUnavailableError

ROOT = "k" * 64


def test_both_keys_are_derived_from_the_generated_value_and_differ() -> None:
    keys = parse_keys(json.dumps({"purpose": "drorch shared keys", "key": ROOT}), "s")
    cursor, jwt = keys.cursor.get_secret_value(), keys.jwt.get_secret_value()
    assert cursor != jwt and len(cursor) == len(jwt) == 64
    assert ROOT not in (cursor, jwt)
    again = parse_keys(json.dumps({"key": ROOT}), "s")
    assert again == keys  # the same secret gives every instance the same keys
    other = parse_keys(json.dumps({"key": "x" * 64}), "s")
    assert other.cursor != keys.cursor and other.jwt != keys.jwt


def test_named_keys_are_taken_as_they_are() -> None:
    keys = parse_keys(json.dumps({"cursor_key": "c" * 40, "jwt_key": "j" * 40, "key": ROOT}), "s")
    assert (keys.cursor.get_secret_value(), keys.jwt.get_secret_value()) == ("c" * 40, "j" * 40)
    assert "c" * 40 not in repr(keys)  # SecretStr: never printed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "secret s is not a JSON object"),
        ("[1]", "secret s is not a JSON object"),
        (None, "secret s is not a JSON object"),
        ('{"purpose": "x"}', "secret s has no key (expected key, or cursor_key and jwt_key)"),
        ('{"key": "too-short"}', "a key in secret s is shorter than 32 characters"),
        ('{"key": 12345}', "a key in secret s is shorter than 32 characters"),
    ],
)
def test_a_secret_without_usable_keys_is_refused_naming_no_value(
    text: str | None, message: str
) -> None:
    with pytest.raises(KeysUnavailableError) as raised:
        parse_keys(text, "s")
    assert str(raised.value) == message
    assert raised.value.status == 503


def test_a_refused_read_is_a_startup_error_naming_the_secret_and_the_code() -> None:
    # Stubber: the exact refusal matters (moto grants everything, so it cannot deny).
    client = boto3.session.Session(
        aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1"
    ).client("secretsmanager")
    with Stubber(client) as stub:
        stub.add_client_error(
            "get_secret_value",
            service_error_code="AccessDeniedException",
            service_message="not authorized to perform secretsmanager:GetSecretValue",
            expected_params={"SecretId": "drorch-prod-keys"},
        )
        with pytest.raises(KeysUnavailableError) as raised:
            read_shared_keys(client, "drorch-prod-keys")
    assert str(raised.value) == (
        "cannot read the shared keys' secret drorch-prod-keys: AccessDeniedException"
    )
    assert raised.value.extra == {"code": "AccessDeniedException"}
