"""DRS events from EventBridge, and the executions they concern (found by open intents).

DRS sends its events (source `aws.drs`) best effort: a launch result names the source
server in `resources` (its ARN) and may carry the job in `detail`. An event only wakes the
executions it concerns (see `concerned`); the engine then reads DRS itself, so nothing in
the event is trusted beyond the ids it names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from drorch.domain.executions import Intent
from drorch.ports.store import Store

SOURCE = "aws.drs"
SERVER_ID = re.compile(r"\bs-[0-9a-f]{17}\b")
JOB_ID = re.compile(r"\bdrsjob-[0-9a-zA-Z]{17}\b")
MAX_IDS = 200  # more ids than one DRS job holds is not a DRS event


@dataclass(frozen=True)
class DrsEvent:
    """What an EventBridge event from DRS says: where, which servers, which jobs."""

    account_id: str
    region: str
    server_ids: frozenset[str]
    job_ids: frozenset[str]


def parse_drs_event(event: dict[str, Any]) -> DrsEvent | None:
    """The DRS event in an EventBridge envelope; None when it is not one."""
    if event.get("source") != SOURCE:
        return None
    account, region = event.get("account"), event.get("region")
    if not isinstance(account, str) or not isinstance(region, str):
        return None
    text = " ".join(str(r) for r in event.get("resources") or [])
    detail = event.get("detail")
    if isinstance(detail, dict):
        text += " " + " ".join(str(v) for v in detail.values() if isinstance(v, str))
    servers = frozenset(SERVER_ID.findall(text)[:MAX_IDS])
    jobs = frozenset(JOB_ID.findall(text)[:MAX_IDS])
    return DrsEvent(account, region, servers, jobs)


def concerned(store: Store, event: DrsEvent) -> list[str]:
    """The executions the event is about: by their jobs in flight, else by their servers.

    First the open intents of the event's scope (jobs in flight) that hold its job or a
    server it names; when none does, the active executions holding a server it names (a
    launch result may arrive after its job's intent closed).
    """
    with store.read() as uow:
        intents = uow.executions.open_intents(event.account_id, event.region)
        found = {i.execution_id for i in intents if _matches(i, event)}
        if not found and event.server_ids:
            busy = uow.executions.busy_servers()
            found = {busy[s] for s in event.server_ids if s in busy}
    return sorted(found)


def _matches(intent: Intent, event: DrsEvent) -> bool:
    if intent.job_id is not None and intent.job_id in event.job_ids:
        return True
    return not event.server_ids.isdisjoint(intent.source_server_ids)
