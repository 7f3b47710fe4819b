"""The working copies' server tally agrees with a count of the servers, whatever was changed."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from drorch.domain.executions import Execution
from drorch.domain.statuses import ServerStatus
from drorch.engine.settle import _servers_done
from drorch.engine.working import has_status, scopes_with, tally, working_copy, writable_at
from tests.unit.engine.factory import execution

STATUSES = [s.value for s in ServerStatus]
# (copy first?, wave, position, new status): one change made through writable_at.
CHANGE = st.tuples(st.booleans(), st.integers(0, 1), st.integers(0, 7), st.sampled_from(STATUSES))


def counted(ex: Execution, wave: int) -> Counter[tuple[str, str, str]]:
    """The tally the slow way: every server looked at."""
    return Counter((s.status, s.account_id, s.region) for s in ex.waves[wave].servers)


def live(counts: object) -> dict[object, int]:
    return {k: n for k, n in dict(counts).items() if n}  # type: ignore[call-overload]


@settings(max_examples=60, deadline=None)
@given(st.lists(CHANGE, max_size=25))
def test_the_tally_follows_every_change_across_chained_copies(changes: list) -> None:
    stored = execution([("w1", 8), ("w2", 8)])
    ex = working_copy(stored)
    for copy_first, wave, position, status in changes:
        if copy_first:
            ex = working_copy(ex)  # the previous copy is never changed again
        writable_at(ex, wave, position).status = status  # type: ignore[assignment]
        for w in (0, 1):
            assert live(tally(ex.waves[w].servers)) == live(counted(ex, w))
    # The stored execution kept its own servers, and its tally.
    assert all(s.status == "PENDING" for s in stored.servers())
    assert live(tally(stored.waves[0].servers)) == live(counted(stored, 0))


def test_an_owned_server_changed_again_in_place_is_counted_as_it_is_now() -> None:
    ex = working_copy(execution([("w1", 3)]))
    server = writable_at(ex, 0, 1)
    server.status = ServerStatus.LAUNCHING
    assert scopes_with(ex.waves[0].servers, "LAUNCHING")
    server.status = ServerStatus.LAUNCHED  # the same (owned) object, changed once more
    assert not has_status(ex.waves[0].servers, frozenset({"LAUNCHING"}))
    assert has_status(ex.waves[0].servers, frozenset({"LAUNCHED"}))


def test_pending_scopes_and_wave_end_read_the_tally_right() -> None:
    ex = working_copy(execution([("w1", 2)]))
    servers = ex.waves[0].servers
    assert scopes_with(servers, "PENDING") == {(servers[0].account_id, servers[0].region)}
    for position in (0, 1):
        writable_at(ex, 0, position).status = ServerStatus.LAUNCHED
    assert scopes_with(working_copy(ex).waves[0].servers, "PENDING") == set()
    assert _servers_done(ex, ex.waves[0])
    writable_at(ex, 0, 1).status = ServerStatus.LAUNCHING
    assert not _servers_done(ex, ex.waves[0])
