"""The one DynamoDB table behind the store: typed items, retries, error translation, counts."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from botocore.exceptions import ClientError

from drorch.adapters.storage.dynamodb.tables import index_name
from drorch.errors import ConflictError, PayloadTooLargeError, StoreError

Item = dict[str, Any]
MAX_ITEM_BYTES = 400 * 1024
MAX_TRANSACTION = 100
THROTTLES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "TransactionInProgressException",
        "InternalServerError",
    }
)
RETRIED_REASONS = frozenset(
    {"ThrottlingError", "TransactionConflict", "ProvisionedThroughputExceeded"}
)
MAX_ATTEMPTS = 8


class Table:
    """A low-level DynamoDB client bound to one table, speaking plain Python items.

    Attribute values are str, int, bool or None only: every document is stored as its
    JSON text, so the adapter never meets DynamoDB's Decimal numbers or nested maps.
    """

    def __init__(
        self,
        client: Any,
        name: str,
        *,
        sleep: Callable[[float], None] = time.sleep,
        base_delay: float = 0.05,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.name = name
        self.calls: Counter[str] = Counter()  # requests by operation, for the benchmarks
        self.capacity = 0.0  # consumed capacity units reported, for the benchmarks
        self._sleep = sleep
        # Seconds since the epoch: claim and timeline-item ages (tests move it).
        self.clock = clock
        self._base_delay = base_delay
        self._lock = threading.Lock()

    # -- reads ----------------------------------------------------------------------

    def get(self, pk: str, sk: str) -> Item | None:
        """One item by key (a strongly consistent read), or None."""
        answer = self.call("get_item", Key=_key(pk, sk), ConsistentRead=True)
        found = answer.get("Item")
        return decode(found) if found else None

    def batch_get(self, keys: list[tuple[str, str]]) -> list[Item]:
        """The items that exist among the keys (any order)."""
        found: list[Item] = []
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 100):
            pending: dict[str, Any] = {
                self.name: {
                    "Keys": [_key(pk, sk) for pk, sk in unique[start : start + 100]],
                    "ConsistentRead": True,
                }
            }
            attempt = 0
            while pending:
                answer = self.call("batch_get_item", RequestItems=pending)
                found += [decode(i) for i in answer.get("Responses", {}).get(self.name, [])]
                pending = answer.get("UnprocessedKeys") or {}
                attempt = self._pause_if(pending, attempt)
        return found

    def query(
        self,
        pk: str,
        *,
        index: str | None = None,
        prefix: str | None = None,
        upto: str | None = None,
        after: str | None = None,
        forward: bool = True,
        limit: int | None = None,
        start: Item | None = None,
    ) -> tuple[list[Item], Item | None]:
        """One query page of a partition (of the table or an index) and LastEvaluatedKey."""
        pk_name, sk_name = (f"{index}pk", f"{index}sk") if index else ("pk", "sk")
        condition = "#p = :p"
        values: dict[str, Any] = {":p": {"S": pk}}
        names = {"#p": pk_name}
        if prefix:
            condition += " AND begins_with(#s, :s)"
            values[":s"] = {"S": prefix}
            names["#s"] = sk_name
        elif upto is not None or after is not None:
            condition += " AND #s <= :s" if upto is not None else " AND #s > :s"
            values[":s"] = {"S": upto if upto is not None else after}
            names["#s"] = sk_name
        args: dict[str, Any] = {
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": values,
            "ExpressionAttributeNames": names,
            "ScanIndexForward": forward,
        }
        if index:
            args["IndexName"] = index_name(index)
        else:
            args["ConsistentRead"] = True
        if limit:
            args["Limit"] = limit
        if start:
            args["ExclusiveStartKey"] = encode(start)
        answer = self.call("query", **args)
        last = answer.get("LastEvaluatedKey")
        return [decode(i) for i in answer.get("Items", [])], decode(last) if last else None

    def query_all(self, pk: str, **kw: Any) -> Iterator[Item]:
        """Every item of a partition query, page after page."""
        start = None
        while True:
            items, start = self.query(pk, start=start, **kw)
            yield from items
            if start is None:
                return

    def describe(self) -> dict[str, Any]:
        """DescribeTable's Table."""
        return dict(self.call("describe_table")["Table"])

    # -- writes ---------------------------------------------------------------------

    def transact(self, ops: list[dict[str, Any]]) -> None:
        """Commit write operations (low-level TransactWriteItems entries) all or nothing."""
        if len(ops) == 1:
            self._single(ops[0])
        elif ops:
            self.call("transact_write_items", TransactItems=ops)

    def batch_write(self, puts: list[Item], deletes: list[tuple[str, str]] = ()) -> None:  # type: ignore[assignment]
        """Unconditional puts and deletes, 25 per request, retrying what DynamoDB left over."""
        requests = [{"PutRequest": {"Item": encode(checked(i))}} for i in puts]
        requests += [{"DeleteRequest": {"Key": _key(pk, sk)}} for pk, sk in deletes]
        for start in range(0, len(requests), 25):
            pending: dict[str, Any] = {self.name: requests[start : start + 25]}
            attempt = 0
            while pending:
                answer = self.call("batch_write_item", RequestItems=pending)
                pending = answer.get("UnprocessedItems") or {}
                attempt = self._pause_if(pending, attempt)

    def put_op(self, item: Item, condition: tuple[str, dict[str, Any]] | None) -> dict[str, Any]:
        """A TransactWriteItems Put entry."""
        entry: dict[str, Any] = {"TableName": self.name, "Item": encode(checked(item))}
        _condition(entry, condition)
        return {"Put": entry}

    def delete_op(
        self, pk: str, sk: str, condition: tuple[str, dict[str, Any]] | None
    ) -> dict[str, Any]:
        """A TransactWriteItems Delete entry."""
        entry: dict[str, Any] = {"TableName": self.name, "Key": _key(pk, sk)}
        _condition(entry, condition)
        return {"Delete": entry}

    def update_op(self, pk: str, sk: str, adds: dict[str, int]) -> dict[str, Any]:
        """A TransactWriteItems Update entry adding to number attributes (creating the item)."""
        names = {f"#a{n}": field for n, field in enumerate(adds)}
        values = {f":a{n}": {"N": str(by)} for n, by in enumerate(adds.values())}
        expression = "ADD " + ", ".join(f"#a{n} :a{n}" for n in range(len(adds)))
        entry = {"TableName": self.name, "Key": _key(pk, sk), "UpdateExpression": expression}
        entry.update({"ExpressionAttributeNames": names, "ExpressionAttributeValues": values})
        return {"Update": entry}

    def check_op(self, pk: str, sk: str, rev: str | None) -> dict[str, Any]:
        """A TransactWriteItems ConditionCheck: the item is still at the revision read."""
        entry: dict[str, Any] = {"TableName": self.name, "Key": _key(pk, sk)}
        _condition(
            entry,
            ("attribute_not_exists(pk)", {}) if rev is None else ("rev = :rev", {":rev": rev}),
        )
        return {"ConditionCheck": entry}

    def add(self, pk: str, sk: str, field: str, by: int = 1) -> int:
        """Atomically add to a number attribute (creating the item); the new value."""
        answer = self.call(
            "update_item",
            Key=_key(pk, sk),
            UpdateExpression="ADD #f :n",
            ExpressionAttributeNames={"#f": field},
            ExpressionAttributeValues={":n": {"N": str(by)}},
            ReturnValues="UPDATED_NEW",
        )
        return int(answer["Attributes"][field]["N"])

    # -- calls ----------------------------------------------------------------------

    def call(self, operation: str, **kwargs: Any) -> dict[str, Any]:
        """One request with the table named, retried with backoff while DynamoDB throttles."""
        if operation not in ("batch_get_item", "batch_write_item", "transact_write_items"):
            kwargs.setdefault("TableName", self.name)
        if operation != "describe_table":
            kwargs["ReturnConsumedCapacity"] = "TOTAL"
        attempt = 0
        while True:
            try:
                answer: dict[str, Any] = getattr(self.client, operation)(**kwargs)
            except ClientError as exc:
                if not _retryable(exc) or attempt + 1 >= MAX_ATTEMPTS:
                    raise translate(exc) from exc
                attempt = self._backoff(attempt)
                continue
            self._count(operation, answer)
            return answer

    def _single(self, op: dict[str, Any]) -> None:
        # One item needs no transaction: a conditional PutItem/DeleteItem costs half.
        if "Put" in op:
            self.call("put_item", **_strip(op["Put"]))
        elif "Update" in op:
            self.call("update_item", **_strip(op["Update"]))
        else:
            self.call("delete_item", **_strip(op["Delete"]))

    def _count(self, operation: str, answer: dict[str, Any]) -> None:
        used = answer.get("ConsumedCapacity")
        units = (
            sum(u.get("CapacityUnits", 0) for u in used)
            if isinstance(used, list)
            else (used.get("CapacityUnits", 0) if used else 0)
        )
        with self._lock:
            self.calls[operation] += 1
            self.capacity += float(units or 0)

    def _backoff(self, attempt: int) -> int:
        # Full jitter: concurrent workers throttled together spread out again.
        self._sleep(random.uniform(0, self._base_delay * 2**attempt))
        return attempt + 1

    def _pause_if(self, pending: dict[str, Any], attempt: int) -> int:
        if not pending:
            return attempt
        if attempt + 1 >= MAX_ATTEMPTS:
            raise StoreError("DynamoDB left part of a batch unprocessed; try again")
        return self._backoff(attempt)


def _strip(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k != "TableName"}


def _condition(entry: dict[str, Any], condition: tuple[str, dict[str, Any]] | None) -> None:
    if condition is None:
        return
    expression, values = condition
    entry["ConditionExpression"] = expression
    if values:
        entry["ExpressionAttributeValues"] = encode(values)


def _retryable(exc: ClientError) -> bool:
    code = exc.response.get("Error", {}).get("Code", "")
    if code in THROTTLES:
        return True
    if code == "TransactionCanceledException":
        codes = {r.get("Code") for r in exc.response.get("CancellationReasons", []) or []}
        codes.discard("None")
        codes.discard(None)
        return bool(codes) and codes <= RETRIED_REASONS
    return False


def translate(exc: ClientError) -> Exception:
    """The project's error for a DynamoDB ClientError (no raw ClientError leaves the adapter)."""
    error = exc.response.get("Error", {})
    code, message = error.get("Code", ""), error.get("Message", "")
    if code == "ConditionalCheckFailedException":
        return ConflictError("the stored record changed meanwhile; read it again and retry")
    if code == "TransactionCanceledException":
        reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", []) or []]
        if "ConditionalCheckFailed" in reasons or "ConditionalCheckFailed" in message:
            failed = [i for i, r in enumerate(reasons) if r == "ConditionalCheckFailed"]
            return ConflictError(
                "a stored record changed meanwhile; read it again and retry",
                failed_items=failed,
            )
    if code == "ValidationException" and "size" in message.lower():
        return PayloadTooLargeError(f"a DynamoDB item is over its 400 KB limit: {message}")
    return StoreError(f"DynamoDB answered {code or 'an error'}: {message}")


# -- typed items -------------------------------------------------------------------------


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def encode(item: Item) -> dict[str, Any]:
    """The low-level form of a plain item."""
    return {name: _value(v) for name, v in item.items()}


def _value(value: Any) -> dict[str, Any]:
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        return {"N": str(value)}
    if isinstance(value, str):
        return {"S": value}
    raise TypeError(f"the store keeps str, int, bool or None, not {type(value).__name__}")


def decode(raw: dict[str, Any]) -> Item:
    """A plain item from its low-level form."""
    item: Item = {}
    for name, typed in raw.items():
        kind, value = next(iter(typed.items()))
        item[name] = int(value) if kind == "N" else None if kind == "NULL" else value
    return item


def item_size(item: Item) -> int:
    """DynamoDB's size of an item: names plus values, in bytes."""
    total = 0
    for name, value in item.items():
        total += len(name.encode())
        if isinstance(value, str):
            total += len(value.encode())
        elif isinstance(value, bool) or value is None:
            total += 1
        else:
            total += len(str(value)) // 2 + 2
    return total


def checked(item: Item) -> Item:
    """The item, or PayloadTooLargeError when it is over DynamoDB's 400 KB (never truncated)."""
    size = item_size(item)
    if size > MAX_ITEM_BYTES:
        raise PayloadTooLargeError(
            f"record {item['pk']} / {item['sk']} is {size} bytes, over DynamoDB's "
            f"400 KB ({MAX_ITEM_BYTES}-byte) item limit; it is refused, never truncated",
            size_bytes=size,
            limit_bytes=MAX_ITEM_BYTES,
        )
    return item
