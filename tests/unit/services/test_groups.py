"""Protection group use cases against the real SQLite store."""

from __future__ import annotations

import pytest

from drorch.adapters.storage.sqlite import SqliteStore
from drorch.domain.groups import Selection
from drorch.errors import NotFoundError
from drorch.services import groups
from tests.support.builders import (
    ACCOUNT,
    REGION,
    group_draft,
    register_accounts,
    server,
    server_id,
)

BOTH = Selection(server_ids=[server_id(1), server_id(2)])


@pytest.fixture
def store() -> SqliteStore:
    """A store holding servers 1 and 2."""
    opened = SqliteStore(":memory:")
    register_accounts(opened)
    with opened.transaction() as uow:
        uow.servers.upsert_many([server(1), server(2)])
    return opened


def preview(store: SqliteStore, group_id: str | None) -> groups.SelectionPreview:
    """Preview selecting servers 1 and 2 in the builders' scope."""
    return groups.preview_selection(
        store=store, account_id=ACCOUNT, region=REGION, selection=BOTH, group_id=group_id
    )


def test_preview_for_an_unknown_group_is_not_found(store: SqliteStore) -> None:
    with pytest.raises(NotFoundError) as caught:
        preview(store, "pg-000000000000")
    assert "pg-000000000000" in caught.value.detail


def test_preview_for_the_edited_group_leaves_out_its_own_servers(store: SqliteStore) -> None:
    held = groups.create_group(store=store, draft=group_draft("held", ids=[server_id(1)]))
    assert [c["group_id"] for c in preview(store, None).conflicts] == [held.group.id]
    mine = preview(store, held.group.id)
    assert mine.conflicts == []
    assert [s.id for s in mine.servers] == [server_id(1), server_id(2)]
