"""The contract every store adapter passes (SQLite today; DynamoDB joins later)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from drorch.domain.groups import ProtectionGroup, Selection
from drorch.domain.inventory import SourceServer
from drorch.domain.plans import RecoveryPlan, Wave
from drorch.errors import ConflictError, NotFoundError, PreconditionFailedError, ValidationError
from drorch.ports.store import ListQuery, Page, ServerQuery, Store
from tests.support.builders import ACCOUNT, REGION, server, server_id

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def a_group(n: int, name: str | None = None, **fields: object) -> ProtectionGroup:
    base: dict[str, object] = {
        "id": f"pg-{n:012x}",
        "name": name or f"group-{n:03d}",
        "account_id": ACCOUNT,
        "region": REGION,
        "selection": Selection(tags={"n": str(n)}),
        "created_at": NOW.replace(minute=n % 60),
        "updated_at": NOW,
    }
    return ProtectionGroup.model_validate({**base, **fields})


def a_plan(n: int, group_ids: list[str], name: str | None = None) -> RecoveryPlan:
    return RecoveryPlan(
        id=f"rp-{n:012x}",
        name=name or f"plan-{n:03d}",
        created_at=NOW,
        updated_at=NOW,
        waves=[Wave(name="w1", protection_group_ids=group_ids)],
    )


def test_group_round_trip_and_lookup_by_name(store: Store) -> None:
    group = a_group(1, "Payments")
    with store.transaction() as uow:
        uow.groups.add(group)
    with store.read() as uow:
        assert uow.groups.get(group.id) == group
        assert uow.groups.find_by_name("PAYMENTS") == group
        assert uow.groups.get("pg-ffffffffffff") is None


def test_names_are_unique_ignoring_case(store: Store) -> None:
    with store.transaction() as uow:
        uow.groups.add(a_group(1, "Payments"))
    with pytest.raises(ConflictError), store.transaction() as uow:
        uow.groups.add(a_group(2, "payments"))


def test_updates_check_the_version(store: Store) -> None:
    group = a_group(1)
    with store.transaction() as uow:
        uow.groups.add(group)
        uow.groups.update(
            group.model_copy(update={"version": 2, "description": "x"}), expected_version=1
        )
    with pytest.raises(PreconditionFailedError), store.transaction() as uow:
        uow.groups.update(group.model_copy(update={"version": 2}), expected_version=1)
    with pytest.raises(PreconditionFailedError), store.transaction() as uow:
        uow.groups.delete(group.id, expected_version=1)
    with store.read() as uow:
        stored = uow.groups.get(group.id)
    assert stored is not None and stored.version == 2 and stored.description == "x"


def test_missing_rows_are_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError), store.transaction() as uow:
        uow.plans.delete("rp-000000000009", expected_version=None)


def test_a_failed_transaction_writes_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as uow:
        uow.groups.add(a_group(1))
        uow.servers.upsert_many([server(1)])
        raise RuntimeError("boom")
    with store.read() as uow:
        assert uow.groups.all() == [] and uow.servers.get(server_id(1)) is None


def test_membership_refuses_a_server_in_two_groups(store: Store) -> None:
    with store.transaction() as uow:
        uow.groups.add(a_group(1))
        uow.groups.add(a_group(2))
        uow.groups.set_members(a_group(1).id, [server_id(1), server_id(2)])
    with pytest.raises(ConflictError), store.transaction() as uow:
        uow.groups.set_members(a_group(2).id, [server_id(2)])
    with store.read() as uow:
        assert uow.groups.holders([server_id(2)]) == {server_id(2): (a_group(1).id, "group-001")}
        assert uow.groups.members(a_group(2).id) == []


def test_deleting_a_group_frees_its_servers(store: Store) -> None:
    with store.transaction() as uow:
        uow.groups.add(a_group(1))
        uow.groups.set_members(a_group(1).id, [server_id(1)])
        uow.groups.delete(a_group(1).id, expected_version=1)
    with store.read() as uow:
        assert uow.groups.holders([server_id(1)]) == {}


def test_plans_know_which_groups_they_use(store: Store) -> None:
    with store.transaction() as uow:
        uow.groups.add(a_group(1))
        uow.plans.add(a_plan(1, [a_group(1).id]))
        uow.plans.add(a_plan(2, []))
    with store.read() as uow:
        assert [p.id for p in uow.plans.using_group(a_group(1).id)] == [a_plan(1, []).id]
        assert uow.plans.find_by_name("PLAN-002") is not None


def _walk(fetch, limit: int) -> list:  # type: ignore[no-untyped-def,type-arg]
    items, cursor = [], None
    while True:
        page = fetch(cursor, limit)
        assert len(page.items) <= limit
        items += page.items
        if page.next_cursor is None:
            return items
        cursor = page.next_cursor


@pytest.mark.parametrize("sort", ["hostname", "-hostname", "replication_state", "-id"])
def test_server_pages_cover_everything_once_in_order(store: Store, sort: str) -> None:
    states = ["CONTINUOUS", "STALLED", "BACKLOG"]
    servers = [
        server(n, hostname=f"h{n % 7}", replication_state=states[n % 3]) for n in range(1, 41)
    ]
    with store.transaction() as uow:
        uow.servers.upsert_many(servers)

    def fetch(cursor: str | None, limit: int):  # type: ignore[no-untyped-def]
        with store.read() as uow:
            return uow.servers.page(ServerQuery(sort=sort, limit=limit, cursor=cursor))

    walked = _walk(fetch, 6)
    assert sorted(s.id for s in walked) == sorted(s.id for s in servers)
    field = sort.lstrip("-")
    keys = [
        (getattr(s, field).lower() if field == "hostname" else getattr(s, field), s.id)
        for s in walked
    ]
    assert keys == sorted(keys, reverse=sort.startswith("-"))


def test_server_filters(store: Store) -> None:
    with store.transaction() as uow:
        uow.servers.upsert_many(
            [
                server(1, hostname="web-01", tags={"app": "shop", "tier": "web"}),
                server(
                    2,
                    hostname="db-01",
                    tags={"app": "shop", "tier": "db"},
                    replication_state="STALLED",
                ),
                server(3, hostname="web_02", tags={"app": "blog"}, region="eu-west-1"),
            ]
        )
        uow.groups.add(a_group(1))
        uow.groups.set_members(a_group(1).id, [server_id(2)])

    def ids(**query: object) -> list[str]:
        with store.read() as uow:
            return sorted(s.id for s in uow.servers.page(ServerQuery(**query)).items)  # type: ignore[arg-type]

    assert ids(tags={"app": "shop", "tier": "web"}) == [server_id(1)]
    assert ids(region="eu-west-1") == [server_id(3)]
    assert ids(replication_state="STALLED") == [server_id(2)]
    assert ids(assigned=True) == [server_id(2)]
    assert ids(assigned=False) == [server_id(1), server_id(3)]
    assert ids(group_id=a_group(1).id) == [server_id(2)]
    assert ids(search="WEB") == [server_id(1), server_id(3)]
    assert ids(search="b_") == [server_id(3)]  # LIKE wildcards are taken literally


def test_group_pages_and_filters(store: Store) -> None:
    with store.transaction() as uow:
        for n in range(1, 26):
            uow.groups.add(a_group(n, region="eu-west-1" if n % 5 == 0 else REGION))

    def fetch(cursor: str | None, limit: int):  # type: ignore[no-untyped-def]
        with store.read() as uow:
            return uow.groups.page(ListQuery(sort="-created_at", limit=limit, cursor=cursor))

    assert len({g.id for g in _walk(fetch, 4)}) == 25
    with store.read() as uow:
        assert len(uow.groups.page(ListQuery(region="eu-west-1")).items) == 5
        assert [g.name for g in uow.groups.page(ListQuery(search="-02")).items] == [
            f"group-0{n}" for n in range(20, 26)
        ]


def test_bad_cursors_and_limits_are_validation_errors(store: Store) -> None:
    with store.transaction() as uow:
        uow.servers.upsert_many([server(n) for n in range(1, 4)])
    with store.read() as uow:
        for query in (
            ServerQuery(cursor="garbage!"),
            ServerQuery(limit=501),
            ServerQuery(sort="tags"),
        ):
            with pytest.raises(ValidationError):
                uow.servers.page(query)
        cursor = uow.servers.page(ServerQuery(limit=1)).next_cursor
        assert cursor is not None
        with pytest.raises(ValidationError, match="another sort"):
            uow.servers.page(ServerQuery(sort="id", cursor=cursor))


def _as_json(page_of_json) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    return [json.loads(item) for item in page_of_json.items]


def _with_groups(
    page: Page[SourceServer], holders: dict[str, tuple[str, str]]
) -> list[dict[str, object]]:
    """What a server listing should send: each model's JSON plus its group, or nulls."""
    rendered = []
    for s in page.items:
        group_id, group_name = holders.get(s.id, (None, None))
        rendered.append(
            {**json.loads(s.model_dump_json()), "group_id": group_id, "group_name": group_name}
        )
    return rendered


def _check_server_listings(store: Store, holders: dict[str, tuple[str, str]]) -> None:
    """Every listing shape, page by page, renders the models plus the groups in `holders`."""
    queries = [
        ServerQuery(),
        ServerQuery(sort="-id", limit=2),
        ServerQuery(replication_state="STALLED"),
        ServerQuery(replication_state="CONTINUOUS", sort="-hostname", limit=2),
        ServerQuery(assigned=False),
        # Driven by the group's index and matching more than a page: groups join late.
        ServerQuery(group_id=a_group(1).id, limit=1),
        ServerQuery(group_id=a_group(1).id, sort="-hostname", limit=1),
        ServerQuery(search="zür", tags={"q": 'say "hi"'}),
    ]
    with store.read() as uow:
        for query in queries:
            cursor: str | None = None
            while True:
                paged = replace(query, cursor=cursor)
                page, listing = uow.servers.page(paged), uow.servers.page_json(paged)
                assert _as_json(listing) == _with_groups(page, holders)
                assert listing.next_cursor == page.next_cursor
                if (cursor := page.next_cursor) is None:
                    break


def test_server_listings_render_what_the_models_render(store: Store) -> None:
    awkward = [
        server(1, hostname="Zürich-01", tags={"q": 'say "hi"', "path": "C:\\drs"}),
        server(2, replication_state="STALLED", lag_seconds=12.5, synced_at=NOW),
        server(3, replication_state="CONTINUOUS", lag_seconds=0.0, region="eu-west-1"),
        server(4, last_launch_result="FAILED", recovery_instance_id="i-0123456789abcdef0"),
    ]
    quoted = a_group(1, 'Zürich "core" \\ ✓')
    with store.transaction() as uow:
        uow.servers.upsert_many(awkward)
        uow.groups.add(quoted)
        uow.groups.add(a_group(2))
        uow.groups.set_members(quoted.id, [server_id(1), server_id(4)])
        uow.groups.set_members(a_group(2).id, [server_id(2)])
    holders = {s: (quoted.id, quoted.name) for s in (server_id(1), server_id(4))}
    holders[server_id(2)] = (a_group(2).id, "group-002")
    _check_server_listings(store, holders)
    with store.read() as uow:
        listed = _as_json(uow.servers.page_json(ServerQuery(sort="id")))
    assert [s["replication_healthy"] for s in listed] == [True, False, True, True]
    assert (listed[2]["group_id"], listed[2]["group_name"]) == (None, None)
    assert listed[0]["group_name"] == 'Zürich "core" \\ ✓'

    renamed = quoted.model_copy(update={"name": "renamed «core»", "version": 2})
    with store.transaction() as uow:
        uow.groups.update(renamed, expected_version=1)
    holders.update({s: (quoted.id, renamed.name) for s in (server_id(1), server_id(4))})
    _check_server_listings(store, holders)


def test_group_listings_carry_their_sorted_members(store: Store) -> None:
    with store.transaction() as uow:
        uow.servers.upsert_many([server(n) for n in range(1, 5)])
        for n in (1, 2, 3):
            uow.groups.add(a_group(n, description=f'the {n}th "group"'))
        uow.groups.set_members(a_group(1).id, [server_id(3), server_id(1)])
        uow.groups.set_members(a_group(2).id, [server_id(4)])
    with store.read() as uow:
        query = ListQuery(limit=2)
        page, listing = uow.groups.page(query), uow.groups.page_json(query)
    assert listing.next_cursor == page.next_cursor
    members = [[server_id(1), server_id(3)], [server_id(4)]]
    expected = [
        {**json.loads(g.model_dump_json()), "member_server_ids": ids}
        for g, ids in zip(page.items, members, strict=True)
    ]
    assert _as_json(listing) == expected
    with store.read() as uow:
        last = uow.groups.page_json(ListQuery(cursor=listing.next_cursor, limit=2))
    assert _as_json(last)[0]["member_server_ids"] == []


def test_plan_listings_render_what_the_models_render(store: Store) -> None:
    with store.transaction() as uow:
        uow.groups.add(a_group(1))
        uow.plans.add(a_plan(1, [a_group(1).id], name="Plan «one»"))
        uow.plans.add(a_plan(2, []))
    with store.read() as uow:
        query = ListQuery(sort="-name")
        page, listing = uow.plans.page(query), uow.plans.page_json(query)
    assert _as_json(listing) == [json.loads(p.model_dump_json()) for p in page.items]
    assert [p["name"] for p in _as_json(listing)] == ["plan-002", "Plan «one»"]
