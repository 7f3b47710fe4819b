"""The store every contract test runs against: SQLite in memory, SQLite on file, DynamoDB.

DynamoDB is moto server (one per session, on 127.0.0.1); each test gets a table of its
own under a fresh prefix, so tests never see each other's items.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drorch.adapters.storage.dynamodb import DynamoStore
from drorch.adapters.storage.sqlite import SqliteStore
from drorch.ports.store import Store
from tests.support.moto_server import RunningMoto, running_moto

_PREFIXES = itertools.count(1)


@pytest.fixture(scope="session")
def dynamodb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningMoto]:
    with running_moto(tmp_path_factory.mktemp("moto-contract")) as moto:
        yield moto


@pytest.fixture(scope="session")
def dynamodb_client(dynamodb_server: RunningMoto) -> Any:
    return dynamodb_server.client("dynamodb")


@pytest.fixture(params=["sqlite-memory", "sqlite-file", "dynamodb"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    s: Store
    if request.param == "dynamodb":
        client = request.getfixturevalue("dynamodb_client")
        s = DynamoStore(client, prefix=f"contract-{next(_PREFIXES)}")
    else:
        path = ":memory:" if request.param == "sqlite-memory" else tmp_path / "drorch.db"
        s = SqliteStore(path)
    yield s
    s.close()
