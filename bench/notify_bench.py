"""Notification benchmark: how fast the dispatcher empties the outbox into a webhook.

Queues `--count` notifications for one webhook channel (a receiver in this process on
127.0.0.1), then drains them with one dispatcher and, on a fresh outbox, with two sharing
the store; it also times one feed pass over `--count` timeline events. Prints a table and
writes bench/results/notify.json. Never part of the pass/fail test run.

    .venv/bin/python bench/notify_bench.py [--count 500] [--quick] [--out PATH]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._support import HOST, free_port

from drorch.adapters.clock import SystemClock
from drorch.adapters.storage.sqlite import SqliteStore
from drorch.bootstrap import notification_dispatcher
from drorch.config import Settings
from drorch.domain.executions import Event, Snapshot
from drorch.domain.notifications import (
    ChannelDraft,
    EventKind,
    Subject,
    SubscriptionDraft,
    WebhookConfig,
)
from drorch.domain.plans import RecoveryPlan, Wave
from drorch.engine.start import build_execution
from drorch.services import notification_setup as setup
from drorch.services.notifications import pump_timeline, raise_event

RESULTS = Path(__file__).resolve().parent / "results" / "notify.json"


@contextmanager
def receiver() -> Iterator[tuple[str, list[str]]]:
    """A webhook receiver answering 200; its URL and the delivery ids it got."""
    got: list[str] = []
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                got.append(self.headers.get("X-Drorch-Delivery", ""))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    port = free_port()
    server = ThreadingHTTPServer((HOST, port), Handler)
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    try:
        yield f"http://{HOST}:{port}/hook", got
    finally:
        server.shutdown()
        server.server_close()


def outbox(path: Path, url: str, count: int) -> SqliteStore:
    """A store whose outbox holds `count` notifications for one subscribed webhook."""
    store = SqliteStore(path)
    channel = setup.create_channel(
        store=store, draft=ChannelDraft(name="bench", config=WebhookConfig(url=url))
    ).channel
    events = [EventKind.EXECUTION_FAILED]
    setup.create_subscription(
        store=store, draft=SubscriptionDraft(channel_id=channel.id, events=events)
    )
    now = datetime.now(UTC)
    with store.transaction() as uow:
        for i in range(count):
            subject = Subject(type="execution", id=f"ex-{i}")
            raise_event(uow, kind=EventKind.EXECUTION_FAILED, subject=subject, payload={}, at=now)
    return store


def drain(folder: Path, count: int, workers: int) -> dict[str, Any]:
    """Seconds for `workers` dispatchers (each its own store connection) to send everything."""
    settings = Settings(data_dir=folder, drs_enabled=False)
    with receiver() as (url, got):
        store = outbox(folder / f"drain-{workers}.db", url, count)
        stores = [store] + [SqliteStore(folder / f"drain-{workers}.db") for _ in range(workers - 1)]
        dispatchers = [
            notification_dispatcher(settings, s, clock=SystemClock(), owner=f"w{i}")
            for i, s in enumerate(stores)
        ]
        began = time.perf_counter()
        threads = [threading.Thread(target=d.deliver_due) for d in dispatchers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - began
        for s in stores:
            s.close()
        received = list(got)
    return {
        "workers": workers,
        "notifications": count,
        "seconds": round(seconds, 3),
        "per_second": round(count / seconds, 1),
        "received": len(received),
        "duplicates": len(received) - len(set(received)),
    }


def feed(folder: Path, count: int) -> dict[str, Any]:
    """Seconds of feed passes turning `count` committed timeline events into deliveries."""
    with receiver() as (url, _):
        store = outbox(folder / "feed.db", url, 0)
    store = SqliteStore(folder / "feed.db")
    _executions(store, count)
    began = time.perf_counter()
    raised = 0
    while True:
        step = pump_timeline(store=store)
        if step == 0:
            break
        raised += step
    seconds = time.perf_counter() - began
    store.close()
    return {"events": count, "raised": raised, "seconds": round(seconds, 3)}


def _executions(store: SqliteStore, count: int) -> None:
    """One tiny execution whose timeline gets `count` events of a kind that notifies."""
    now = datetime.now(UTC)
    plan = RecoveryPlan(
        id="rp-bench",
        name="bench",
        waves=[Wave(name="w", protection_group_ids=["pg-x"])],
        created_at=now,
        updated_at=now,
    )
    snap = Snapshot(plan=plan, groups=[], servers=[], selected_waves=["w"])
    execution = build_execution(
        execution_id="ex-bench", type="DRILL", snap=snap, actor="bench", now=now
    )
    events = [Event(at=now, actor="bench", kind="execution.fail", message="bench")] * count
    with store.transaction() as uow:
        uow.executions.add(execution)
        uow.executions.append_events(execution.id, events)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--quick", action="store_true", help="Tiny sizes (the test run's).")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    count = 30 if args.quick else args.count
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        result = {
            "quick": args.quick,
            "machine": platform.platform(),
            "drain": [drain(folder, count, 1), drain(folder, count, 2)],
            "feed": feed(folder, count),
        }
    print(f"{'dispatchers':>11} {'notifications':>13} {'seconds':>8} {'per s':>7} {'dupes':>5}")
    for row in result["drain"]:
        print(
            f"{row['workers']:>11} {row['notifications']:>13} {row['seconds']:>8} "
            f"{row['per_second']:>7} {row['duplicates']:>5}"
        )
    fed = result["feed"]
    print(
        f"feed: {fed['events']} timeline events -> {fed['raised']} deliveries in {fed['seconds']} s"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
