"""One botocore data loader for every session drorch makes: models are parsed once.

Each botocore session loads its own copy of the endpoint rules and of every service
model it makes a client for (about 10 MB of Python objects per session). drorch makes a
session per account and purpose (an execution's name in CloudTrail), so a busy process
held dozens of identical copies. Sessions made here share one loader, whose cache keeps a
single copy of each file; botocore treats that data as read-only.
"""

from __future__ import annotations

import threading
from typing import Any

import boto3
import botocore.session
from botocore.loaders import Loader

_lock = threading.Lock()
_loader: Loader | None = None


class _Paths(list[str]):
    """Search paths that ignore a path already there (boto3 appends its own per session)."""

    def append(self, path: str) -> None:
        if path not in self:
            super().append(path)


def core_session() -> botocore.session.Session:
    """A new botocore session (its own credentials and config) on the shared loader."""
    session = botocore.session.get_session()
    session.register_component("data_loader", _shared(session))
    return session


def boto3_session(**kwargs: Any) -> boto3.session.Session:
    """`boto3.session.Session(**kwargs)` on the shared loader."""
    return boto3.session.Session(botocore_session=core_session(), **kwargs)


def _shared(session: botocore.session.Session) -> Loader:
    global _loader
    with _lock:
        if _loader is None:
            # The first session's data path (AWS_DATA_PATH, as botocore reads it) for all.
            paths = session.get_component("data_loader").search_paths
            _loader = Loader(extra_search_paths=_Paths(paths), include_default_search_paths=False)
        return _loader
