"""Apply launch settings before a launch batch: record, change only what differs, record.

Runs in act() after the batch's intent is recorded and before StartRecovery. Per server it
reads DRS's launch configuration (and, when the settings shape it, the EC2 launch template),
records on the intent what it found and what it will change, makes the changes, and records
the outcome. A crash anywhere leaves the intent explaining the server; the next attempt reads
again and changes only what is still different, so nothing is changed twice.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from drorch.domain.executions import Event, Execution, Intent
from drorch.domain.launch_settings import LaunchSettings, SettingsRecord, settings_for
from drorch.engine.launch_settings import plan_server, template_data
from drorch.engine.working import writable
from drorch.errors import DrsError, DrsValidationError, SessionError
from drorch.ports.drs import DrsClient, Scope
from drorch.ports.ec2 import Ec2Client, Ec2Gateway
from drorch.ports.execution_store import LeaseLost

if TYPE_CHECKING:
    from drorch.engine.act import Actor

OPERATION = "ApplyLaunchSettings"


class SettingsFailed(Exception):
    """A DRS or EC2 call refused; `intent` is the latest recorded state, `error` the refusal."""

    def __init__(self, intent: Intent, error: DrsError) -> None:
        super().__init__(error.detail)
        self.intent = intent
        self.error = error


@dataclass
class LaunchSettingsStep:
    """Launch settings for the servers of a batch; `ec2` None leaves templates alone."""

    ec2: Ec2Gateway | None = None
    # The first records of the servers per pass in flight, keyed by the pass's Actor.
    _passes: dict[int, dict[str, SettingsRecord]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def run(self, ex: Execution, intent: Intent, actor: Actor) -> Intent:
        """Apply the settings of every server of the intent; returns the updated intent."""
        scope = Scope(intent.account_id, intent.region)
        wanted = _wanted(ex, intent.source_server_ids)
        try:
            drs = actor.drs.client(scope)
            ec2 = self._ec2(scope, ex, wanted)
            records = self._plan(wanted, intent, drs, ec2, actor)
        except DrsError as exc:
            raise SettingsFailed(intent, exc) from exc
        planned = intent.model_copy(update={"launch_settings": records})
        _save(actor, ex.id, planned, [])  # before any write: what was there, what will change
        done: list[SettingsRecord] = []
        for record in planned.launch_settings:
            try:
                done.append(_apply(record, drs, ec2))
            except DrsError as exc:
                failed = record.model_copy(update={"state": "FAILED", "error": exc.detail})
                rest = planned.launch_settings[len(done) + 1 :]
                latest = planned.model_copy(update={"launch_settings": [*done, failed, *rest]})
                raise SettingsFailed(latest, exc) from exc
        finished = planned.model_copy(update={"launch_settings": done})
        _save(actor, ex.id, finished, _events(ex, finished, actor))
        ids = {s.source_server_id for s in ex.servers()}
        for record in done:
            if record.source_server_id in ids:
                # A working copy shares unchanged servers: copy this one before changing it.
                writable(ex, record.source_server_id).launch_settings = record
        return finished

    def _ec2(
        self, scope: Scope, ex: Execution, wanted: dict[str, LaunchSettings]
    ) -> Ec2Client | None:
        if self.ec2 is None or not any(w.shapes_template for w in wanted.values()):
            return None
        return self.ec2.client(scope, purpose=f"ex-{ex.id}")

    def _plan(
        self,
        wanted_by_server: dict[str, LaunchSettings],
        intent: Intent,
        drs: DrsClient,
        ec2: Ec2Client | None,
        actor: Actor,
    ) -> list[SettingsRecord]:
        earlier = self._first_records(actor, intent)
        records = []
        for sid, wanted in wanted_by_server.items():
            current = _named(
                sid, "GetLaunchConfiguration", lambda s=sid: drs.get_launch_configuration(s)
            )
            versions = None
            if ec2 is not None and wanted.shapes_template:
                template_id = current.get("ec2LaunchTemplateID")
                if not template_id:
                    raise DrsValidationError(
                        f"{sid}: DRS names no EC2 launch template for it",
                        code="ValidationException",
                    )
                versions = _named(
                    sid,
                    "DescribeLaunchTemplateVersions",
                    lambda t=template_id: ec2.template_versions(t),
                )
            base = SettingsRecord(source_server_id=sid, wanted=wanted)
            records.append(plan_server(base, current, versions, earlier.get(sid)))
        for record in records:  # the first record of a server stays the first
            earlier.setdefault(record.source_server_id, record)
        return records

    def _first_records(self, actor: Actor, intent: Intent) -> dict[str, SettingsRecord]:
        """Each server's first record in the execution, read from the store once per pass.

        A pass (one Actor) holds the execution's lease throughout and launches many batches;
        every record it adds is added here too, so later batches need not read every intent
        of the execution again. A new pass reads afresh: another worker may have acted since.
        """
        key = id(actor)
        found = self._passes.get(key)
        if found is None:
            found = _earlier_records(actor, intent.execution_id, intent.batch_id)
            self._passes[key] = found
            # Dropped with the pass's Actor: its id can be reused only once it is gone.
            weakref.finalize(actor, self._passes.pop, key, None)
        return found


def _wanted(ex: Execution, server_ids: Sequence[str]) -> dict[str, LaunchSettings]:
    """The launch settings of each server of a batch, in the batch's order (one scan)."""
    groups = {g.id: g for g in ex.snapshot.groups}
    wanted = set(server_ids)
    group_of = {
        s.source_server_id: s.group_id for s in ex.servers() if s.source_server_id in wanted
    }
    return {sid: settings_for(groups[group_of[sid]], sid) for sid in server_ids}


def _apply(record: SettingsRecord, drs: DrsClient, ec2: Ec2Client | None) -> SettingsRecord:
    """Make the recorded changes for one server, in DRS first, then in its launch template."""
    sid = record.source_server_id
    if record.drs_changes:
        _named(
            sid,
            "UpdateLaunchConfiguration",
            lambda: drs.update_launch_configuration(sid, record.drs_changes),
        )
    version = record.template_version
    if ec2 is not None and record.template_id and record.create_version:
        version = _named(sid, "CreateLaunchTemplateVersion", lambda: _new_version(record, ec2))
    if ec2 is not None and record.template_id and record.set_default and version is not None:
        number = version
        _named(
            sid,
            "ModifyLaunchTemplate",
            lambda: ec2.set_default_version(str(record.template_id), number),
        )
    return record.model_copy(update={"state": "APPLIED", "template_version": version})


def _new_version(record: SettingsRecord, ec2: Ec2Client) -> int:
    template_id = str(record.template_id)
    default, _ = ec2.template_versions(template_id)
    return ec2.create_template_version(
        template_id,
        source_version=default.number,
        data=template_data(record.wanted, default.data),
        description=f"drorch: launch settings of {record.source_server_id}",
    )


def _named(server_id: str, step: str, call: Any) -> Any:
    """Run one DRS/EC2 call; its error names the server and the call."""
    try:
        return call()
    except SessionError:
        raise
    except DrsError as exc:
        raise type(exc)(
            f"{server_id}: {step}: {exc.detail}", code=exc.code, retry_after=exc.retry_after
        ) from exc


def _earlier_records(actor: Actor, execution_id: str, batch_id: str) -> dict[str, SettingsRecord]:
    """Each server's first record in this execution: its previous values are the true ones."""
    with actor.store.read() as uow:
        intents = uow.executions.intents(execution_id)
    found: dict[str, SettingsRecord] = {}
    for intent in intents:
        if intent.batch_id == batch_id:
            continue
        for record in intent.launch_settings:
            found.setdefault(record.source_server_id, record)
    return found


def _save(actor: Actor, execution_id: str, intent: Intent, events: Sequence[Event]) -> None:
    with actor.store.transaction() as uow:
        if not uow.executions.holds(execution_id, owner=actor.owner, now=actor.clock.now()):
            raise LeaseLost(execution_id)
        uow.executions.update_intent(intent)
        if events:
            uow.executions.append_events(execution_id, list(events))


def _events(ex: Execution, intent: Intent, actor: Actor) -> list[Event]:
    changed = [r for r in intent.launch_settings if r.changed]
    if not changed:
        return []
    parts = [f"{r.source_server_id} ({_summary(r)})" for r in changed]
    return [
        Event(
            at=actor.clock.now(),
            actor="drorch",
            kind="launch-settings.applied",
            message=f"launch settings applied for batch {intent.batch_id}: " + "; ".join(parts),
            data={
                "batch_id": intent.batch_id,
                "source_server_ids": [r.source_server_id for r in changed],
            },
        )
    ]


def _summary(record: SettingsRecord) -> str:
    bits = [f"{k}={v}" for k, v in record.drs_changes.items()]
    bits += [f"{k}={v}" for k, v in record.template_changes.items()]
    if record.set_default and record.template_version is not None:
        bits.append(f"template {record.template_id} v{record.template_version} default")
    return ", ".join(bits)
