"""The read side of executions: header, server pages, jobs, timeline and changes.

Callers ask this service, never the store, for what an execution looks like. Today it reads
the whole stored execution once per stored version and keeps the view (a per-process cache
keyed by execution id and version; a read first asks the store for the version alone, a
primary-key lookup), so repeated reads of an unchanged execution parse nothing. When the
store keeps waves and servers as records of their own, the insides of this module become
per-record queries; its callers stay as they are.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from drorch.domain.executions import Batch, Event
from drorch.errors import NotFoundError
from drorch.ports.cursors import CursorCodec
from drorch.ports.store import Page, Store
from drorch.services.execution_views import RunServer, RunView, ServerFilter, view_of

# A view of a 5,000-server execution takes tens of MB: keep the few being watched.
CACHE_SIZE = 4
SERVER_SORT = "run-servers"
JOB_SORT = "run-jobs"


@dataclass(frozen=True)
class ServerPageQuery:
    """Filters and page of an execution's servers (plan order: wave by wave)."""

    wave: str | None = None
    statuses: frozenset[str] = frozenset()
    account_id: str | None = None
    search: str | None = None
    limit: int = 100
    cursor: str | None = None


@dataclass(frozen=True)
class JobPageQuery:
    """Filters and page of an execution's DRS jobs (in the order they were created)."""

    kind: str | None = None
    limit: int = 100
    cursor: str | None = None


class ExecutionReads:
    """Reads of executions, each version parsed once per process and shared by every reader."""

    def __init__(self, store: Store, cursors: CursorCodec, *, cache_size: int = CACHE_SIZE) -> None:
        self.store = store
        self.cursors = cursors
        self.cache_size = cache_size
        self._views: OrderedDict[str, RunView] = OrderedDict()
        self._lock = threading.Lock()
        self.loads = 0  # full reads of a stored execution, for tests and benchmarks

    def version(self, execution_id: str) -> int | None:
        """The stored version of an execution, None when there is none (cheap)."""
        with self.store.read() as uow:
            return uow.executions.version(execution_id)

    def marks(self, execution_id: str) -> tuple[int | None, int]:
        """(stored version, newest event seq) in one read: what tells a watcher of news."""
        with self.store.read() as uow:
            repo = uow.executions
            last = repo.last_event(execution_id)
            return repo.version(execution_id), last.seq if last else 0

    def events_since(self, execution_id: str, after_seq: int, limit: int) -> list[Event]:
        """Timeline events with `seq > after_seq`, oldest first; 404 for an unknown execution."""
        with self.store.read() as uow:
            if uow.executions.version(execution_id) is None:
                raise _missing(execution_id)
            return uow.executions.events_since(execution_id, after_seq, limit)

    def cached(self, execution_id: str) -> RunView | None:
        """The current view when it is cached (one cheap version read), else None.

        NotFoundError when there is no such execution. For callers on an event loop: a
        miss means a full read, which they hand to a thread (`view`).
        """
        version = self.version(execution_id)
        if version is None:
            raise _missing(execution_id)
        return self._hit(execution_id, version)

    def view(self, execution_id: str) -> RunView:
        """The current view of an execution, read from the store only when its version moved."""
        version = self.version(execution_id)
        if version is None:
            raise _missing(execution_id)
        return self._hit(execution_id, version) or self._load(execution_id)

    def servers(self, view: RunView, query: ServerPageQuery) -> Page[RunServer]:
        """A page of the view's servers matching the query, and the cursor of the next one."""
        sort = f"{SERVER_SORT}:{view.id}"
        after = self._after(query.cursor, sort)
        where = ServerFilter(
            wave=query.wave,
            statuses=query.statuses,
            account_id=query.account_id,
            search=query.search,
        )
        rows = view.select(where, after=after, limit=query.limit + 1)
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        last = rows[-1] if more else None
        cursor = self._next(sort, last.position, last.server.source_server_id) if last else None
        return Page(items=rows, next_cursor=cursor)

    def jobs(self, view: RunView, query: JobPageQuery) -> Page[Batch]:
        """A page of the view's DRS jobs, oldest first, optionally of one kind."""
        sort = f"{JOB_SORT}:{view.id}"
        after = self._after(query.cursor, sort)
        batches = list(enumerate(view.execution.batches))[after + 1 :]
        mine = [(i, b) for i, b in batches if query.kind is None or b.kind == query.kind]
        page = mine[: query.limit]
        more = len(mine) > query.limit
        cursor = self._next(sort, page[-1][0], page[-1][1].batch_id) if more else None
        return Page(items=[b for _, b in page], next_cursor=cursor)

    def _after(self, cursor: str | None, sort: str) -> int:
        if not cursor:
            return -1
        position, _ = self.cursors.decode(cursor, sort, int)
        return int(position)

    def _next(self, sort: str, position: int, item_id: str) -> str:
        return self.cursors.encode(sort, position, item_id)

    def _hit(self, execution_id: str, version: int) -> RunView | None:
        with self._lock:
            view = self._views.get(execution_id)
            if view is None or view.version != version:
                return None
            self._views.move_to_end(execution_id)
            return view

    def _load(self, execution_id: str) -> RunView:
        with self.store.read() as uow:
            execution = uow.executions.get(execution_id)
        if execution is None:
            raise _missing(execution_id)
        view = view_of(execution)
        with self._lock:
            self.loads += 1
            known = self._views.get(execution_id)
            # Two readers may race to load; the newer version wins the slot.
            if known is None or known.version <= view.version:
                self._views[execution_id] = view
                self._views.move_to_end(execution_id)
            while len(self._views) > self.cache_size:
                self._views.popitem(last=False)
        return view


def _missing(execution_id: str) -> NotFoundError:
    return NotFoundError(f"execution {execution_id} does not exist")
