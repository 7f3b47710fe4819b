"""Request dependencies shared by the routers."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Header, Request, Response

from drorch.bootstrap import Container
from drorch.errors import ValidationError
from drorch.ports.store import Store

ETAG = re.compile(r'^(?:W/)?"?(\d+)"?$')


# Dependencies are `async def` so FastAPI runs them on the event loop, not in a thread.
async def get_container(request: Request) -> Container:
    """The process's container, set by the app factory."""
    container: Container = request.app.state.container
    return container


async def get_store(request: Request) -> Store:
    """The store of this process."""
    # Straight from the app state: one dependency less on the busiest endpoints.
    store: Store = request.app.state.container.store
    return store


async def if_match_version(if_match: Annotated[str | None, Header()] = None) -> int | None:
    """The version named by If-Match (`"3"`, `W/"3"` or `*`), or None when absent or `*`."""
    if if_match is None or if_match.strip() == "*":
        return None
    found = ETAG.match(if_match.strip())
    if not found:
        raise ValidationError(
            'If-Match must be an ETag this API returned, such as "3"',
            [{"path": "If-Match", "message": "not an ETag of this API", "in": "header"}],
        )
    return int(found.group(1))


def set_etag(response: Response, version: int) -> None:
    """Put the version's ETag on the response."""
    response.headers["ETag"] = f'"{version}"'


ContainerDep = Annotated[Container, Depends(get_container)]
StoreDep = Annotated[Store, Depends(get_store)]
IfMatch = Annotated[int | None, Depends(if_match_version)]
