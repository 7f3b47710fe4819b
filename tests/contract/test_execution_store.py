"""The execution store contract: records, versions, claims, capacity and leases.

Each guarantee is checked the way a second adapter (DynamoDB) must give it: by conditional
writes that hold across separate transactions, not by one transaction seeing everything.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from drorch.domain.execution_records import ExecutionChanges, changed_records
from drorch.domain.executions import Batch, Event, Execution, Intent
from drorch.domain.launch_settings import LaunchSettings, SettingsRecord
from drorch.engine.working import working_copy, writable
from drorch.errors import ConflictError
from drorch.ports.store import Store
from tests.unit.engine.factory import ACCOUNT, REGION, T0, at, execution, sid


def with_batch(ex: Execution) -> Execution:
    batch = Batch(
        batch_id="b-1",
        kind="LAUNCH",
        wave="a",
        account_id=ACCOUNT,
        region=REGION,
        source_server_ids=[sid(1)],
        created_at=T0,
    )
    return ex.model_copy(update={"batches": [batch]})


def an_intent(batch_id: str, execution_id: str = "ex-1") -> Intent:
    return Intent(
        execution_id=execution_id,
        batch_id=batch_id,
        kind="LAUNCH",
        execution_type="DRILL",
        account_id=ACCOUNT,
        region=REGION,
        source_server_ids=[sid(1)],
        created_at=T0,
    )


def stored(store: Store, execution_id: str = "ex-1") -> Execution:
    with store.read() as uow:
        found = uow.executions.get(execution_id)
    assert found is not None
    return found


def test_an_execution_reads_back_equal_from_its_records(store: Store) -> None:
    ex = with_batch(execution([("a", 3), ("b", 2)], depends={"b": ["a"]}))
    with store.transaction() as uow:
        uow.executions.add(ex)
    assert stored(store) == ex
    with store.read() as uow:
        assert uow.executions.version("ex-1") == 1
        assert uow.executions.version("ex-404") is None


def test_a_save_writes_the_records_it_names_and_no_others(store: Store) -> None:
    ex = with_batch(execution([("a", 2), ("b", 1)]))
    with store.transaction() as uow:
        uow.executions.add(ex)
    new = working_copy(ex)
    writable(new, sid(1)).error = "changed and named"
    writable(new, sid(3)).error = "changed, not named"
    new.waves[1].released = True
    new.version = 2
    changes = ExecutionChanges(servers=[sid(1)])
    with store.transaction() as uow:
        uow.executions.save(new, expected_version=1, changes=changes)
    back = stored(store)
    assert back.version == 2
    assert back.wave("a").servers[0].error == "changed and named"
    assert back.wave("b").servers[0].error is None
    assert back.wave("b").released is False
    assert changed_records(ex, new) == ExecutionChanges(
        servers=[sid(1), sid(3)], waves=["b"], same_settings=[sid(1), sid(3)]
    )


def test_a_save_at_a_stale_version_conflicts_and_writes_nothing(store: Store) -> None:
    ex = execution([("a", 1)])
    with store.transaction() as uow:
        uow.executions.add(ex)
    new = working_copy(ex)
    writable(new, sid(1)).error = "lost update"
    new.version = 3
    with pytest.raises(ConflictError), store.transaction() as uow:
        uow.executions.save(new, expected_version=2, changes=changed_records(ex, new))
    assert stored(store) == ex


def test_one_active_execution_per_server_is_a_conditional_insert_of_claims(store: Store) -> None:
    first = execution([("a", 2)])
    second = execution([("a", 3)]).model_copy(update={"id": "ex-2"})
    with store.transaction() as uow:
        uow.executions.add(first)
    with pytest.raises(ConflictError) as caught, store.transaction() as uow:
        uow.executions.add(second)
    held = {(c["source_server_id"], c["execution_id"]) for c in caught.value.extra["conflicts"]}
    assert held == {(sid(1), "ex-1"), (sid(2), "ex-1")}
    with store.read() as uow:
        assert uow.executions.busy_servers() == {sid(1): "ex-1", sid(2): "ex-1"}
        assert uow.executions.get("ex-2") is None  # nothing of the refused start was written
    ended = first.model_copy(update={"status": "CANCELLED", "version": 2})
    with store.transaction() as uow:
        uow.executions.save(ended, expected_version=1, changes=changed_records(first, ended))
        uow.executions.add(second)
    with store.read() as uow:
        assert uow.executions.busy_servers() == {sid(n): "ex-2" for n in (1, 2, 3)}


def test_two_workers_reserving_the_same_capacity_cannot_both_succeed(store: Store) -> None:
    with store.transaction() as uow:
        uow.executions.add(execution([("a", 2)]))
    read_both = threading.Barrier(2)
    outcomes: list[str] = []

    def reserve(batch_id: str) -> None:
        with store.read() as uow:
            version = uow.executions.capacity_version(ACCOUNT, REGION)
        read_both.wait(timeout=10)  # both decided on the same headroom before either writes
        try:
            with store.transaction() as uow:
                uow.executions.reserve(an_intent(batch_id), expected_version=version)
            outcomes.append("reserved")
        except ConflictError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=reserve, args=(f"b-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(outcomes) == ["conflict", "reserved"]
    with store.read() as uow:
        assert len(uow.executions.open_intents(ACCOUNT, REGION)) == 1
        assert uow.executions.capacity_version(ACCOUNT, REGION) == 1
    with store.transaction() as uow:  # the loser reads again and may reserve now
        uow.executions.reserve(an_intent("b-3"), expected_version=1)
    with store.read() as uow:
        assert uow.executions.capacity_version(ACCOUNT, REGION) == 2


def test_an_expired_lease_is_taken_over_and_the_old_holder_can_write_nothing(
    store: Store,
) -> None:
    with store.transaction() as uow:
        uow.executions.add(execution([("a", 1)]))
        uow.executions.schedule("ex-1", T0)
    lease = timedelta(seconds=15)
    with store.transaction() as uow:
        repo = uow.executions
        assert repo.claim("ex-1", owner="w1", now=T0, lease_until=T0 + lease)
        assert not repo.claim("ex-1", owner="w2", now=at(10), lease_until=at(10) + lease)
        assert repo.claim("ex-1", owner="w2", now=at(16), lease_until=at(16) + lease)
        assert not repo.holds("ex-1", owner="w1", now=at(16))
        assert repo.holds("ex-1", owner="w2", now=at(16))
        assert not repo.release("ex-1", owner="w1", due_at=at(20))
        assert repo.release("ex-1", owner="w2", due_at=at(40))
        assert repo.next_due() == at(40)


def test_intent_updates_events_and_records_land_together_or_not_at_all(store: Store) -> None:
    ex = execution([("a", 1)])
    with store.transaction() as uow:
        uow.executions.add(ex)
        uow.executions.add_intent(an_intent("b-1"))
    new = working_copy(ex)
    writable(new, sid(1)).status = "LAUNCHING"
    new.version = 2
    event = Event(at=T0, actor="drorch", kind="batch.reconciled", message="b-1 is j-1")
    with pytest.raises(RuntimeError), store.transaction() as uow:
        uow.executions.update_intent(an_intent("b-1").model_copy(update={"state": "STARTED"}))
        uow.executions.save(new, expected_version=1, changes=changed_records(ex, new))
        uow.executions.append_events("ex-1", [event])
        raise RuntimeError("killed before the commit")
    with store.read() as uow:
        assert [i.state for i in uow.executions.intents("ex-1")] == ["OPEN"]
        assert uow.executions.events_since("ex-1", 0, 10) == []
    assert stored(store) == ex


def settings_record(server_id: str, state: str = "INTENDED") -> SettingsRecord:
    return SettingsRecord(
        source_server_id=server_id,
        wanted=LaunchSettings(instance_type="t3.small"),
        state=state,  # type: ignore[arg-type]
        previous_drs={"copyTags": True},
    )


def test_intent_settings_are_a_record_a_state_change_leaves_alone(store: Store) -> None:
    with store.transaction() as uow:
        uow.executions.add(execution([("a", 1)]))
        uow.executions.add_intent(an_intent("b-1"))
        uow.executions.add_intent(an_intent("b-2"))
    planned = an_intent("b-1").model_copy(update={"launch_settings": [settings_record(sid(1))]})
    with store.transaction() as uow:
        uow.executions.update_intent(planned)
        # A state change written from a head (no settings) keeps the stored settings.
        head = an_intent("b-1").model_copy(update={"state": "STARTED", "job_id": "j-1"})
        uow.executions.update_intent_state(head)
        uow.executions.update_intent_state(an_intent("b-2").model_copy(update={"state": "ENDED"}))
    with store.read() as uow:
        full = uow.executions.intents("ex-1")
        heads = uow.executions.intent_heads("ex-1")
        capacity = uow.executions.open_intents(ACCOUNT, REGION)
    assert [(i.batch_id, i.state, i.job_id) for i in full] == [
        ("b-1", "STARTED", "j-1"),
        ("b-2", "ENDED", None),
    ]
    assert full[0].launch_settings == planned.launch_settings
    assert [(i.batch_id, i.launch_settings) for i in heads] == [("b-1", [])]  # ENDED left out
    assert [i.batch_id for i in capacity] == ["b-1"]
    with store.transaction() as uow:  # a whole intent without settings clears them
        uow.executions.update_intent(head)
    with store.read() as uow:
        assert uow.executions.intents("ex-1")[0].launch_settings == []


def test_a_server_keeps_its_settings_record_until_a_save_changes_it(store: Store) -> None:
    ex = execution([("a", 2)])
    with store.transaction() as uow:
        uow.executions.add(ex)
    new = working_copy(ex)
    writable(new, sid(1)).launch_settings = settings_record(sid(1), "APPLIED")
    new.version = 2
    with store.transaction() as uow:
        uow.executions.save(new, expected_version=1, changes=changed_records(ex, new))
    assert stored(store) == new
    later = working_copy(new)
    writable(later, sid(1)).status = "LAUNCHING"
    changes = changed_records(new, later)
    assert changes.servers == [sid(1)] and changes.same_settings == [sid(1)]
    later.version = 3
    with store.transaction() as uow:
        uow.executions.save(later, expected_version=2, changes=changes)
    back = stored(store)
    assert back == later
    assert back.wave("a").servers[0].launch_settings == settings_record(sid(1), "APPLIED")
    cleared = working_copy(later)
    writable(cleared, sid(1)).launch_settings = None
    cleared.version = 4
    with store.transaction() as uow:
        uow.executions.save(cleared, expected_version=3, changes=changed_records(later, cleared))
    assert stored(store).wave("a").servers[0].launch_settings is None
