"""List cursors: signed, so forged or edited ones are refused; typed, so none reaches SQL."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from drorch.adapters.keyfile import load_or_create_key
from drorch.adapters.storage.paging import Cursors
from drorch.errors import ValidationError

KEY = b"k" * 32


def b64(value: Any) -> str:
    raw = json.dumps(value).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def refused(cursors: Cursors, cursor: str, sort: str = "hostname", kind: Any = str) -> str:
    """The message of the validation error decoding raises; it names `cursor`."""
    with pytest.raises(ValidationError) as caught:
        cursors.decode(cursor, sort, kind)
    assert [e["path"] for e in caught.value.extra["errors"]] == ["cursor"]
    return caught.value.detail


def test_a_cursor_decodes_to_what_was_encoded() -> None:
    cursors = Cursors(KEY)
    assert cursors.decode(cursors.encode("-name", "web-01", "pg-1"), "-name") == ("web-01", "pg-1")
    assert cursors.decode(cursors.encode("seq", 42, "ex-1"), "seq", int) == (42, "ex-1")


@pytest.mark.parametrize("value", [{"a": 1}, [1, 2], 2**70, "1e400", 1.5, True, None], ids=repr)
def test_unsigned_cursors_of_the_old_form_are_refused(value: Any) -> None:
    # The reproducers of the defect: base64 JSON without a signature.
    assert "not one this API issued" in refused(Cursors(KEY), b64(["hostname", value, "x"]))


def test_an_edited_payload_or_signature_is_refused() -> None:
    cursors = Cursors(KEY)
    payload, _, signature = cursors.encode("hostname", "a", "s-1").partition(".")
    forged = b64(["hostname", "zzz", "s-1"])
    assert "not one this API issued" in refused(cursors, f"{forged}.{signature}")
    flipped = signature[:-1] + ("A" if signature[-1] != "A" else "B")
    assert "not one this API issued" in refused(cursors, f"{payload}.{flipped}")


def test_a_cursor_of_another_key_is_refused() -> None:
    cursor = Cursors(b"o" * 32).encode("hostname", "a", "s-1")
    assert "not one this API issued" in refused(Cursors(KEY), cursor)


@pytest.mark.parametrize(
    ("value", "kind"),
    [({"a": 1}, str), ([1], str), (5, str), ("abc", int), (2**70, int), (-1, int), (True, int)],
    ids=repr,
)
def test_signed_values_of_the_wrong_type_are_refused(value: Any, kind: Any) -> None:
    # Even a correctly signed cursor (an old key leaked, a bug) never reaches SQL mistyped.
    cursors = Cursors(KEY)
    sort = "seq" if kind is int else "hostname"
    cursor = cursors.encode(sort, value, "x")
    assert "wrong type" in refused(cursors, cursor, sort, kind)


def test_a_cursor_of_another_sort_is_refused() -> None:
    cursors = Cursors(KEY)
    assert "another sort order" in refused(cursors, cursors.encode("-hostname", "a", "s-1"))


def test_the_key_file_is_made_once_with_owner_only_access(tmp_path: Any) -> None:
    path = tmp_path / "data" / "cursor.key"
    key = load_or_create_key(path)
    assert len(key) == 32 and load_or_create_key(path) == key
    assert path.stat().st_mode & 0o777 == 0o600
    assert list(path.parent.iterdir()) == [path]  # no draft left behind
