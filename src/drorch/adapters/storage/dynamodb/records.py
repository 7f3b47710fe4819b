"""The items of one execution: header, snapshot chunks, waves, servers and batches.

Records carry the header version they were written at (`ver`) and, when a save wrote
them ahead of its header, the value they replaced (`pver`, `pbody`). A reader sees a
record's `body` when `ver` is at most the header's version, else its previous value: a
save whose header never committed stays invisible, however many items it wrote first.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterable

from drorch.adapters.storage.dynamodb.common import joined, ts
from drorch.adapters.storage.dynamodb.table import Item, Table
from drorch.domain.execution_records import server_positions
from drorch.domain.executions import Execution, summarize
from drorch.domain.statuses import ACTIVE_STATUSES

SLOT = 1_000_000  # server position = wave position * SLOT + place in the wave
CHUNK_BYTES = 300_000  # snapshot servers packed per item, well under the 400 KB limit
STALE_SAVE_SECONDS = 300  # a save marked pending longer than this died; it is repaired


def partition(execution_id: str) -> str:
    """The partition holding an execution's records."""
    return f"ex#{execution_id}"


def header_item(ex: Execution) -> Item:
    """The header record, with the attributes the listings read and index."""
    active = ex.status in ACTIVE_STATUSES
    item: Item = {
        "pk": partition(ex.id),
        "sk": "h",
        "ver": ex.version,
        "body": ex.model_dump_json(exclude={"snapshot", "waves", "batches"}),
        "summary": summarize(ex).model_dump_json(),
        "plan": ex.plan_id,
        "type": ex.type,
        "status": ex.status,
        "active": active,
        "g1pk": "exs",
        "g1sk": joined(ts(ex.created_at), ex.id),
    }
    if active:
        item.update({"g2pk": "ex-active", "g2sk": ex.id})
    return item


def snapshot_items(ex: Execution) -> list[Item]:
    """The snapshot without servers, then its servers packed into chunks."""
    pk = partition(ex.id)
    items = [{"pk": pk, "sk": "snap", "body": ex.snapshot.model_dump_json(exclude={"servers"})}]
    chunk: list[str] = []
    size = 0
    for server in ex.snapshot.servers:
        text = server.model_dump_json()
        if chunk and size + len(text) > CHUNK_BYTES:
            items.append(_chunk(pk, len(items) - 1, chunk))
            chunk, size = [], 0
        chunk.append(text)
        size += len(text) + 1
    if chunk:
        items.append(_chunk(pk, len(items) - 1, chunk))
    return items


def _chunk(pk: str, n: int, bodies: list[str]) -> Item:
    return {"pk": pk, "sk": f"ss#{n:05d}", "body": "[" + ",".join(bodies) + "]"}


def record_items(
    ex: Execution,
    waves: Iterable[str] | None,
    servers: Iterable[str] | None,
    batches: Iterable[str] | None,
) -> list[Item]:
    """The wave, server and batch records named (None: all of that kind), at ex.version."""
    pk = partition(ex.id)
    found: list[Item] = []
    wave_names = None if waves is None else set(waves)
    for i, wave in enumerate(ex.waves):
        if wave_names is None or wave.name in wave_names:
            body = wave.model_dump_json(exclude={"servers"})
            found.append({"pk": pk, "sk": f"w#{i:04d}", "body": body})
    places = server_positions(ex)
    chosen = places.values() if servers is None else [places[s] for s in servers]
    for w, p in sorted(chosen):
        server = ex.waves[w].servers[p]
        found.append(
            {"pk": pk, "sk": f"s#{w * SLOT + p:012d}", "wave": w, "body": server.model_dump_json()}
        )
    batch_ids = None if batches is None else set(batches)
    for i, batch in enumerate(ex.batches):
        if batch_ids is None or batch.batch_id in batch_ids:
            found.append({"pk": pk, "sk": f"b#{i:06d}", "body": batch.model_dump_json()})
    for item in found:
        item["ver"] = ex.version
    return found


def all_items(ex: Execution) -> list[Item]:
    """Every item a new execution is written as (the benchmark sizes them too)."""
    return [header_item(ex), *snapshot_items(ex), *record_items(ex, None, None, None)]


def visible(item: Item, version: int) -> str | None:
    """The body a reader at header `version` sees, or None for a record not yet committed."""
    if item.get("ver", 0) <= version:
        return str(item["body"])
    if item.get("pbody") is not None and item.get("pver", 0) <= version:
        return str(item["pbody"])
    return None


def assemble(header: Item, items: list[Item]) -> Execution | None:
    """The execution from its items (None when the snapshot is not there yet)."""
    version = int(header["ver"])
    snapshot, chunks, waves, servers, batches = None, [], [], {}, []  # type: ignore[var-annotated]
    for item in items:
        sk = item["sk"]
        if sk == "snap":
            snapshot = item["body"]
        elif sk.startswith("ss#"):
            chunks.append(item["body"][1:-1])
        elif (body := visible(item, version)) is None:
            continue
        elif sk.startswith("w#"):
            waves.append(body)
        elif sk.startswith("s#"):
            servers.setdefault(int(item["wave"]), []).append(body)
        elif sk.startswith("b#"):
            batches.append(body)
    if snapshot is None:
        return None
    listed = ",".join(c for c in chunks if c)
    snap = f'{snapshot[:-1]},"servers":[{listed}]}}'
    wave_docs = ",".join(
        f'{body[:-1]},"servers":[{",".join(servers.get(i, []))}]}}' for i, body in enumerate(waves)
    )
    text = (
        f'{header["body"][:-1]},"snapshot":{snap},"waves":[{wave_docs}],'
        f'"batches":[{",".join(batches)}]}}'
    )
    return Execution.model_validate_json(text)


def with_previous(new: Item, old: Item | None, version: int) -> Item:
    """A record written ahead of its header, keeping the value readers see until it commits."""
    if old is None:
        return new
    body = visible(old, version)
    if body is None:
        return new
    return {
        **new,
        "pbody": body,
        "pver": old["ver"] if old.get("ver", 0) <= version else old["pver"],
    }


def mark_pending(table: Table, execution_id: str, version: int) -> tuple[str, int]:
    """Mark a save in flight on the header (only at `version`, only one at a time).

    Returns the header's new revision and the mark (the time it was made).
    """
    rev, stamp = secrets.token_hex(6), int(time.time())
    table.call(
        "update_item",
        Key={"pk": {"S": partition(execution_id)}, "sk": {"S": "h"}},
        UpdateExpression="SET pending = :t, rev = :r",
        ConditionExpression="ver = :v AND attribute_not_exists(pending)",
        ExpressionAttributeValues={
            ":t": {"N": str(stamp)},
            ":r": {"S": rev},
            ":v": {"N": str(version)},
        },
    )
    return rev, stamp


def pending_is_stale(header: Item) -> bool:
    """True when the save that marked the header pending has had time to finish and did not."""
    return time.time() - int(header["pending"]) > STALE_SAVE_SECONDS


def repair(table: Table, header: Item) -> None:
    """Undo what a save that died left ahead of its header, then clear its mark."""
    version = int(header["ver"])
    puts, deletes = [], []
    for item in table.query_all(header["pk"]):
        if item["sk"][:2] not in ("w#", "s#", "b#") or item.get("ver", 0) <= version:
            continue
        if item.get("pbody") is not None and item.get("pver", 0) <= version:
            kept = {k: v for k, v in item.items() if k not in ("pbody", "pver")}
            puts.append({**kept, "body": item["pbody"], "ver": item["pver"]})
        else:
            deletes.append((item["pk"], item["sk"]))
    table.batch_write(puts, deletes)
    table.call(
        "update_item",
        Key={"pk": {"S": header["pk"]}, "sk": {"S": "h"}},
        UpdateExpression="REMOVE pending",
        ConditionExpression="pending = :t",
        ExpressionAttributeValues={":t": {"N": str(header["pending"])}},
    )


def dumps(value: object) -> str:
    """Compact JSON."""
    return json.dumps(value, separators=(",", ":"))
