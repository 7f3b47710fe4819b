"""Request dependencies shared by the routers."""

from __future__ import annotations

import re
from dataclasses import dataclass
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


@dataclass(frozen=True)
class IfMatchHeader:
    """What If-Match said: nothing (`present` False), `*` (any version) or one version."""

    present: bool
    version: int | None = None

    def named(self, body_version: int | None = None) -> bool:
        """True when the client named a version (or `*`) in If-Match or the body."""
        return self.present or body_version is not None

    def expected(self, body_version: int | None = None) -> int | None:
        """The version a change is conditional on (None: any or none named).

        A body `version` (from a document GET returned) counts as If-Match; both must agree.
        """
        if body_version is None:
            return self.version
        if self.version is not None and self.version != body_version:
            raise ValidationError(
                f"the body's version {body_version} differs from If-Match {self.version}",
                [{"path": "version", "message": "differs from If-Match", "in": "body"}],
            )
        return body_version


async def if_match_version(if_match: Annotated[str | None, Header()] = None) -> IfMatchHeader:
    """The If-Match header: an ETag this API returned (`"3"`, `W/"3"`), `*`, or absent."""
    if if_match is None:
        return IfMatchHeader(present=False)
    if if_match.strip() == "*":
        return IfMatchHeader(present=True)
    found = ETAG.match(if_match.strip())
    if not found:
        raise ValidationError(
            'If-Match must be an ETag this API returned, such as "3"',
            [{"path": "If-Match", "message": "not an ETag of this API", "in": "header"}],
        )
    return IfMatchHeader(present=True, version=int(found.group(1)))


def set_etag(response: Response, version: int) -> None:
    """Put the version's ETag on the response."""
    response.headers["ETag"] = f'"{version}"'


ContainerDep = Annotated[Container, Depends(get_container)]
StoreDep = Annotated[Store, Depends(get_store)]
IfMatch = Annotated[IfMatchHeader, Depends(if_match_version)]
