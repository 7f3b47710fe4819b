"""A source server belongs to at most one protection group, whatever operators do."""

from __future__ import annotations

import json

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from drorch.adapters.storage.sqlite import SqliteStore
from drorch.errors import ConflictError, ValidationError
from drorch.ports.store import ListQuery
from drorch.services import groups, inventory
from tests.support.builders import group_draft, register_accounts, server, server_id

TAGS = st.dictionaries(st.sampled_from(["app", "tier"]), st.sampled_from(["a", "b"]), min_size=1)
IDS = st.lists(st.integers(1, 12).map(server_id), max_size=4, unique=True)


class Membership(RuleBasedStateMachine):
    """Random creates, updates, deletes and inventory changes against the real store."""

    def __init__(self) -> None:
        super().__init__()
        self.store = SqliteStore(":memory:")
        register_accounts(self.store)
        self._load([server(n, tags=self._tags(n)) for n in range(1, 13)])

    @staticmethod
    def _tags(n: int) -> dict[str, str]:
        return {"app": "ab"[n % 2], "tier": "ab"[n // 2 % 2]}

    def _load(self, servers: list) -> None:  # type: ignore[type-arg]
        with self.store.transaction() as uow:
            uow.servers.upsert_many(servers)
            groups.refresh_tag_groups(uow)

    def _snapshot(self) -> dict[str, list[str]]:
        with self.store.read() as uow:
            return {g.id: uow.groups.members(g.id) for g in uow.groups.all()}

    @rule(name=st.sampled_from("pqrst"), tags=TAGS)
    def create_by_tags(self, name: str, tags: dict[str, str]) -> None:
        self._attempt(
            lambda: groups.create_group(store=self.store, draft=group_draft(name, tags=tags))
        )

    @rule(name=st.sampled_from("pqrst"), ids=IDS)
    def create_by_ids(self, name: str, ids: list[str]) -> None:
        self._attempt(
            lambda: groups.create_group(store=self.store, draft=group_draft(name, ids=ids))
        )

    @rule(pick=st.integers(0, 10), ids=IDS)
    def update(self, pick: int, ids: list[str]) -> None:
        existing = sorted(self._snapshot())
        if existing:
            gid = existing[pick % len(existing)]
            current = groups.get_group(store=self.store, group_id=gid).group
            draft = group_draft(current.name, ids=ids)
            self._attempt(
                lambda: groups.update_group(
                    store=self.store, group_id=gid, draft=draft, if_match=current.version
                )
            )

    @rule(pick=st.integers(0, 10))
    def delete(self, pick: int) -> None:
        existing = sorted(self._snapshot())
        if existing:
            groups.delete_group(
                store=self.store, group_id=existing[pick % len(existing)], if_match=None
            )

    @rule(n=st.integers(1, 12), app=st.sampled_from("ab"))
    def retag(self, n: int, app: str) -> None:
        self._load([server(n, tags={**self._tags(n), "app": app})])

    def _attempt(self, action) -> None:  # type: ignore[no-untyped-def]
        before = self._snapshot()
        try:
            action()
        except (ConflictError, ValidationError):
            assert self._snapshot() == before, "a refused write changed the store"

    @invariant()
    def each_server_in_at_most_one_group(self) -> None:
        members = [s for ids in self._snapshot().values() for s in ids]
        assert len(members) == len(set(members))

    @invariant()
    def listing_agrees_with_membership(self) -> None:
        page = groups.list_groups(store=self.store, query=ListQuery(limit=500))
        listed = [json.loads(item) for item in page.items]
        assert {g["id"]: g["member_server_ids"] for g in listed} == self._snapshot()


TestMembership = Membership.TestCase
TestMembership.settings = settings(max_examples=40, stateful_step_count=15, deadline=None)


def test_conflict_names_each_server_and_holder() -> None:
    store = SqliteStore(":memory:")
    register_accounts(store)
    with store.transaction() as uow:
        uow.servers.upsert_many([server(1, tags={"app": "x"}), server(2, tags={"app": "x"})])
    groups.create_group(store=store, draft=group_draft("first", ids=[server_id(1), server_id(2)]))
    with pytest.raises(ConflictError) as caught:
        groups.create_group(store=store, draft=group_draft("second", tags={"app": "x"}))
    conflicts = caught.value.extra["conflicts"]
    assert {c["source_server_id"] for c in conflicts} == {server_id(1), server_id(2)}
    assert all(c["group_name"] == "first" for c in conflicts)
    assert "first" in caught.value.detail and server_id(1) in caught.value.detail


def test_sync_keeps_servers_with_their_first_group() -> None:
    store = SqliteStore(":memory:")
    register_accounts(store)
    with store.transaction() as uow:
        uow.servers.upsert_many([server(1, tags={"app": "x"}), server(2, tags={"app": "y"})])
    groups.create_group(store=store, draft=group_draft("xs", tags={"app": "x"}))
    groups.create_group(store=store, draft=group_draft("ys", tags={"app": "y"}))

    class Drs:  # a DRS gateway reporting a new server with the tag of group "xs"
        def scopes(self):  # type: ignore[no-untyped-def]
            from drorch.ports.drs import Scope

            return [Scope(server(1).account_id, server(1).region)]

        def client(self, scope):  # type: ignore[no-untyped-def]
            class Client:
                def describe_source_servers(self):  # type: ignore[no-untyped-def]
                    return [
                        server(1, tags={"app": "x"}),
                        server(2, tags={"app": "y"}),
                        server(3, tags={"app": "x"}),
                    ]

            return Client()

    result = inventory.sync_inventory(store=store, drs=Drs())  # type: ignore[arg-type]
    assert result.scopes[0]["servers"] == 3
    listed = [json.loads(g) for g in groups.list_groups(store=store, query=ListQuery()).items]
    xs_id = next(g["id"] for g in listed if g["name"] == "xs")
    xs = groups.get_group(store=store, group_id=xs_id).members
    assert xs == [server_id(1), server_id(3)]
