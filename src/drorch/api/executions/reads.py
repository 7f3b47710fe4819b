"""The process's execution reads, and the current view of one execution for a route."""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import Depends, Request

from drorch.services.execution_reads import ExecutionReads
from drorch.services.execution_views import RunView


async def execution_reads(request: Request) -> ExecutionReads:
    """The container's ExecutionReads (one cache per process)."""
    reads: ExecutionReads | None = request.app.state.container.reads
    if reads is None:  # pragma: no cover - bootstrap always sets it
        raise RuntimeError("the container has no execution reads")
    return reads


def reads_of(request: Request) -> ExecutionReads:
    """The container's ExecutionReads, for routes that take the request itself.

    The hottest reads take it this way rather than as a dependency: each dependency costs
    FastAPI a solve of its own, a tenth of an execution read's Python calls.
    """
    reads: ExecutionReads = request.app.state.container.reads
    return reads


async def current_view(reads: ExecutionReads, execution_id: str) -> RunView:
    """The current view: from the cache on the event loop, else read in a worker thread."""
    # A hit costs one primary-key read; a miss parses the whole execution, off the loop.
    view = reads.cached(execution_id)
    if view is None:
        view = await anyio.to_thread.run_sync(reads.view, execution_id)
    return view


ReadsDep = Annotated[ExecutionReads, Depends(execution_reads)]
