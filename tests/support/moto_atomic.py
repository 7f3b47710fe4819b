"""moto's server with each DynamoDB request answered whole before the next, as DynamoDB does.

moto applies a TransactWriteItems item by item and, when one item fails, puts back a copy of
every table it took before starting. With two transactions at once, the one that fails puts
back a copy taken before the other committed, and the winner's writes are gone; a read
between items sees half a transaction. DynamoDB makes each request atomic, and the store's
concurrency contract (two workers reserving the same capacity, claim conflicts) relies on
it. One lock around moto's DynamoDB backend gives the tests that behaviour.

    python moto_atomic.py -H 127.0.0.1 -p PORT    # the arguments of `python -m moto.server`
"""

from __future__ import annotations

import functools
import inspect
import sys
import threading
from collections.abc import Callable
from typing import Any

from moto.dynamodb.models import DynamoDBBackend
from moto.server import main

_LOCK = threading.RLock()  # re-entrant: backend methods call one another


def _whole(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        with _LOCK:
            return method(*args, **kwargs)

    return call


def make_requests_atomic() -> None:
    """Wrap every public method of moto's DynamoDB backend in the one lock."""
    for name, value in list(vars(DynamoDBBackend).items()):
        if inspect.isfunction(value) and not name.startswith("_"):
            setattr(DynamoDBBackend, name, _whole(value))


if __name__ == "__main__":
    make_requests_atomic()
    main(sys.argv[1:])
