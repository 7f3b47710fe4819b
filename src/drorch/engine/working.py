"""Working copies of an execution that copy a server only when a step changes it.

A pass used to copy every server of the execution two or three times, whether or not
anything happened to it: at 5,000 servers that alone cost tens of milliseconds. A working
copy now shares the servers of the execution it came from; a step that changes a server
asks `writable()` (or the `ServerIndex`) for it first, which copies that one server into
the working copy. The input execution is still never modified, and a server that no step
touched is the very object it was before, which is how `changed_records` finds the
records a pass must write.

Each server list of a working copy also keeps a **tally** (servers per status, account and
Region) of the list it was copied from, plus the servers it replaced since: so "does this
running wave still have PENDING servers, and where?" or "is every server terminal?" is
answered from a few counts instead of a walk over thousands of servers (which costs
milliseconds at 5,000 servers, mostly in memory reads of objects spread over the heap).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence

from drorch.domain.execution_records import per_snapshot, server_positions
from drorch.domain.executions import Execution, ServerRun

__all__ = [
    "PENDING",
    "ServerIndex",
    "Tally",
    "per_snapshot",
    "tally",
    "working_copy",
    "writable",
    "writable_at",
]

OPEN_BATCHES = frozenset({"INTENDED", "ACTIVE"})
PENDING = frozenset({"PENDING"})  # for has_status: servers not launched yet
TallyKey = tuple[str, str, str]  # (status, account id, Region)
Tally = Mapping[TallyKey, int]


class SharedServers(list[ServerRun]):
    """A wave's server list in a working copy: remembers which servers it owns (copied)."""

    __slots__ = ("_base", "owned", "replaced")

    def __init__(self, servers: list[ServerRun]) -> None:
        super().__init__(servers)
        self.owned: set[int] = set()
        # Position -> the shared server a copy replaced there (the one `_base` counted).
        self.replaced: dict[int, ServerRun] = {}
        # The source list's tally; a source is never changed once copied, so it holds.
        self._base: Tally = tally(servers)

    def tally(self) -> Tally:
        """Servers per (status, account, Region) now: the source's tally, corrected."""
        if not self.replaced:
            return self._base
        counts = Counter(self._base)
        for position, old in self.replaced.items():
            counts[_key(old)] -= 1
            counts[_key(self[position])] += 1
        return counts


def tally(servers: Sequence[ServerRun]) -> Tally:
    """Servers per (status, account, Region); entries may be 0. Do not modify the result."""
    if isinstance(servers, SharedServers):
        return servers.tally()
    return Counter(map(_key, servers))


def _key(server: ServerRun) -> TallyKey:
    return (server.status, server.account_id, server.region)


def has_status(servers: Sequence[ServerRun], statuses: frozenset[str]) -> bool:
    """True when a server of the list has one of these statuses."""
    return any(n and key[0] in statuses for key, n in tally(servers).items())


def scopes_with(servers: Sequence[ServerRun], status: str) -> set[tuple[str, str]]:
    """The (account, Region) pairs of the list's servers that have this status."""
    return {(key[1], key[2]) for key, n in tally(servers).items() if n and key[0] == status}


def working_copy(ex: Execution) -> Execution:
    """A copy whose run state may be changed through `writable`; servers are shared until then."""
    waves = [w.model_copy(update={"servers": SharedServers(w.servers)}) for w in ex.waves]
    for wave in waves:
        if wave.steps:  # a handful per wave: steps are changed in place, so each is copied
            wave.steps = [step.model_copy(deep=True) for step in wave.steps]
    return ex.model_copy(
        update={
            "waves": waves,
            # An ended batch (DONE, REJECTED, LOST) is never changed again: it is shared.
            "batches": [b.model_copy() if b.state in OPEN_BATCHES else b for b in ex.batches],
            "retries": {k: r.model_copy() for k, r in ex.retries.items()},
            "leftovers": list(ex.leftovers),
            "waiting_scopes": list(ex.waiting_scopes),
            "pauses": [p.model_copy() for p in ex.pauses],
        }
    )


def clone(server: ServerRun) -> ServerRun:
    """A shallow copy of a server run (its fields are all immutable values)."""
    # pydantic's model_copy costs twice as much; a ServerRun holds no containers.
    new = ServerRun.__new__(ServerRun)
    object.__setattr__(new, "__dict__", server.__dict__.copy())
    object.__setattr__(new, "__pydantic_fields_set__", set(server.__pydantic_fields_set__))
    object.__setattr__(new, "__pydantic_extra__", None)
    object.__setattr__(new, "__pydantic_private__", None)
    return new


def writable_at(ex: Execution, wave_index: int, position: int) -> ServerRun:
    """The server at a place of the working copy, copied into it on first use."""
    servers = ex.waves[wave_index].servers
    server = servers[position]
    if not isinstance(servers, SharedServers):
        return server  # not a working copy: the caller owns every server already
    if id(server) not in servers.owned:
        servers.replaced.setdefault(position, server)
        server = clone(server)
        servers[position] = server
        servers.owned.add(id(server))
    return server


def writable(ex: Execution, server_id: str) -> ServerRun:
    """The server with this id, as the working copy may change it."""
    wave_index, position = server_positions(ex)[server_id]
    return writable_at(ex, wave_index, position)


class ServerIndex(Mapping[str, ServerRun]):
    """Server id -> the server as the working copy may change it (copied when looked up)."""

    def __init__(self, ex: Execution) -> None:
        self._ex = ex
        self._places = server_positions(ex)

    def __getitem__(self, server_id: str) -> ServerRun:
        wave_index, position = self._places[server_id]
        return writable_at(self._ex, wave_index, position)

    def peek(self, server_id: str) -> ServerRun | None:
        """The server as it is, for reading only (nothing is copied), or None."""
        place = self._places.get(server_id)
        if place is None:
            return None
        return self._ex.waves[place[0]].servers[place[1]]

    def count(self, server_ids: Iterable[str], status: str) -> int:
        """How many of these servers have this status (read only; unknown ids count none)."""
        places, waves = self._places, self._ex.waves
        found = 0
        for server_id in server_ids:
            place = places.get(server_id)
            if place is not None and waves[place[0]].servers[place[1]].status == status:
                found += 1
        return found

    def __contains__(self, server_id: object) -> bool:
        return server_id in self._places

    def __iter__(self) -> Iterator[str]:
        return iter(self._places)

    def __len__(self) -> int:
        return len(self._places)
