"""The sandbox model: fleet, clock, jobs, faults and stats behind one lock (no HTTP here)."""

from __future__ import annotations

import threading
from collections import deque
from pathlib import Path
from typing import Any

from drorch.sandbox import lifecycle, persistence, render, replication
from drorch.sandbox.clock import ClockMode, SandboxClock
from drorch.sandbox.ec2 import ScopeEc2, shared_moto
from drorch.sandbox.errors import AccessDenied, Uninitialized, Validation
from drorch.sandbox.faults import Faults, FaultsRequest, ReplicationFault, Throttle
from drorch.sandbox.fleet import Fleet, load_fleet
from drorch.sandbox.operations import HANDLERS, MUTATING
from drorch.sandbox.replication import STOPPED
from drorch.sandbox.ssm import SsmAutomations
from drorch.sandbox.state import Job, ScopeState, ServerState
from drorch.sandbox.sts import StsFault, StsIssuer
from drorch.sandbox.timing import Timing
from drorch.sandbox.wire import alnum_id, hex_id

DAY = 86400.0
KEY_LOG_SIZE = 10_000  # the latest DRS calls, each with the access key that signed it
FRESH = frozenset({"INITIATING", "INITIAL_SYNC"})


class Sandbox:
    """A simulated DRS for every account and Region of a fleet; thread-safe."""

    def __init__(
        self,
        fleet: Fleet,
        *,
        clock: SandboxClock | None = None,
        state_file: Path | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.fleet = fleet
        self.clock = clock or SandboxClock()
        self.state_file = state_file
        self.timing = Timing(fleet.seed)
        self.throttle = Throttle()
        self.faults = Faults()
        self.counter = 0
        self.calls: dict[str, int] = {}
        self.launches: dict[str, int] = {}
        self.keys = fleet.key_map()
        # Looked up on every call: the fleet's accounts, not a walk over all its servers.
        self.account_ids = frozenset(a.id for a in fleet.accounts)
        self.scopes = build_scopes(fleet, self.clock.now())
        self.sts = StsIssuer(fleet)
        self.ssm = SsmAutomations(self.clock.now)  # Automation: the SSM calls moto lacks
        self.key_log: deque[dict[str, str]] = deque(maxlen=KEY_LOG_SIZE)
        self.moto = shared_moto() if fleet.ec2 is not None else None
        self.fresh_ec2()

    def fresh_ec2(self) -> None:
        """moto's accounts emptied, then every scope's EC2 attached and seeded, in one step."""
        if self.moto is None:
            return
        with self.moto.lock:  # no EC2 request sees moto emptied but not yet seeded
            # moto's state is process-wide: a new sandbox starts with its accounts empty.
            self.moto.reset(self.fleet.account_regions())
            self.attach_ec2()

    def attach_ec2(self) -> None:
        """Give every scope its EC2 (when the fleet has one); scopes are rebuilt on reset/load.

        Each scope's network is seeded here, synchronously: moto builds an account's EC2
        backend on first use, which takes about a second, and an engine's first pass (which
        reads launch templates while holding the execution's lease) must not pay for it, or
        an operator's pause right after a start is left queued instead of applied at once.
        """
        spec = self.fleet.ec2
        if self.moto is None or spec is None:
            return
        with self.moto.lock:
            for (account, region), scope in self.scopes.items():
                scope.ec2 = ScopeEc2(self.moto, spec, account, region)
                scope.ec2.seed()

    @classmethod
    def open(
        cls,
        fleet: Fleet | Path | str | dict[str, Any] | None = None,
        *,
        clock: ClockMode = "scaled",
        time_scale: float = 1.0,
        state_file: Path | None = None,
    ) -> Sandbox:
        """A sandbox resumed from `state_file` when it exists, else fresh from the fleet."""
        if state_file is not None and state_file.exists():
            return persistence.load(cls, state_file, clock, time_scale)
        chosen = fleet if isinstance(fleet, Fleet) else load_fleet(fleet)
        sandbox = cls(chosen, clock=SandboxClock(mode=clock, time_scale=time_scale))
        sandbox.state_file = state_file
        sandbox.save()
        return sandbox

    # -- DRS calls -------------------------------------------------------------------------

    def account_for_key(self, access_key: str) -> str:
        """The account an access key stands for: a fleet key, an id, or a key STS issued."""
        account = self.keys.get(access_key)
        if account is None and access_key in self.account_ids:
            account = access_key
        if account is None:
            try:
                account = self.sts.account_for(access_key, self.clock.now())
            except StsFault as fault:
                raise AccessDenied(f"{fault.message} (access key {access_key})") from None
        if account is None:
            raise AccessDenied(f"the access key {access_key!r} is not known to this sandbox")
        return account

    def scope(self, account: str, region: str) -> ScopeState:
        """The account+Region, or UninitializedAccountException when the fleet has none."""
        found = self.scopes.get((account, region))
        if found is None:
            raise Uninitialized(f"DRS is not initialized in account {account} Region {region}")
        return found

    def count_call(self, operation: str) -> None:
        """Count one request of an operation (stats)."""
        with self.lock:
            self.calls[operation] = self.calls.get(operation, 0) + 1

    def log_key(self, operation: str, account: str, region: str, access_key: str) -> None:
        """Remember which access key made a DRS call (`GET /_sandbox/calls`)."""
        entry = {"operation": operation, "account": account, "region": region, "key": access_key}
        with self.lock:
            self.key_log.append(entry)

    def call(
        self,
        operation: str,
        account: str,
        region: str,
        params: dict[str, Any],
        *,
        wire: bool = False,
    ) -> dict[str, Any]:
        """Run one implemented DRS operation for an account and Region.

        With `wire`, listed items may come as their JSON text only (`render.Rendered`), for
        the HTTP front, which sends them as they are; otherwise everything is plain data.
        """
        handler = HANDLERS.get(operation)
        if handler is None:
            raise Validation(
                f"the drorch DRS sandbox does not implement {operation}",
                reason="unknownOperation",
            )
        with self.lock:
            scope = self.scope(account, region)
            self._settle(scope)
            result = handler(self, scope, params)
            if operation in MUTATING:
                self.save()
        return result if wire else render.structured(result)

    def register_job(self, scope: ScopeState, job: Job) -> None:
        """Add a new job (stalled at once when faults say so)."""
        scope.jobs[job.id] = job
        if self.faults.stall_new_jobs:
            lifecycle.stall(job, job.created)

    def next_id(self, prefix: str) -> str:
        """A new id such as `drsjob-` + 17 characters; reproducible for a seed."""
        self.counter += 1
        return f"{prefix}-{alnum_id(17, self.fleet.seed, prefix, self.counter)}"

    def _settle(self, scope: ScopeState) -> None:
        lifecycle.settle(scope, self.clock.now())

    def settle_all(self) -> None:
        """Bring every scope up to the current sandbox time."""
        with self.lock:
            for scope in self.scopes.values():
                self._settle(scope)

    # -- admin -------------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """Calls per operation and StartRecovery launches per source server."""
        with self.lock:
            return {"calls": dict(self.calls), "launches": dict(self.launches)}

    def advance(self, seconds: float) -> float:
        """Move sandbox time forward and apply every step now due."""
        with self.lock:
            now = self.clock.advance(seconds)
            self.settle_all()
            self.save()
            return now

    def add_faults(self, request: FaultsRequest) -> dict[str, Any]:
        """Add faults; stalled jobs freeze now."""
        with self.lock:
            self.settle_all()
            to_stall = [self._job(job_id) for job_id in request.stall_jobs]
            lagging = {
                sid: replication.find_server(self.scopes.values(), sid)
                for sid in request.replication
            }
            for server_id in request.fail_launches:
                self.faults.fail_launches[server_id] = request.fail_phase
            self.faults.throttle.update(request.throttle)
            self.faults.throttle_burst.update(request.throttle_burst)
            self.faults.latency.update(request.latency)
            self.faults.latency_after.update(request.latency_after)
            self.faults.drop_if_gone.update(request.drop_if_gone)
            self.faults.fail_terminations.update(request.fail_terminations)
            if request.stall_new_jobs is not None:
                self.faults.stall_new_jobs = request.stall_new_jobs
            for job in to_stall:
                lifecycle.stall(job, self.clock.now())
            for sid, server in lagging.items():
                fault = request.replication[sid]
                replication.apply(server, fault, self.clock.now())
                self.faults.replication[sid] = fault.model_dump()
            self.throttle.reset()
            self.save()
            return self.describe_faults()

    def clear_faults(self) -> dict[str, Any]:
        """Remove every fault; stalled jobs go on from where they stood."""
        with self.lock:
            now = self.clock.now()
            for scope in self.scopes.values():
                for job in scope.jobs.values():
                    lifecycle.unstall(job, now)
            self._restore_replication(now)
            self.faults = Faults()
            self.throttle.reset()
            self.settle_all()
            self.save()
            return self.describe_faults()

    def _restore_replication(self, now: float) -> None:
        """Servers a replication fault changed report what the fleet file says again."""
        specs = {spec.id: spec for spec in self.fleet.servers}
        for sid in self.faults.replication:
            spec = specs[sid]
            original = ReplicationFault(state=spec.replication_state, lag_seconds=spec.lag_seconds)
            replication.restore(replication.find_server(self.scopes.values(), sid), original, now)

    def describe_faults(self) -> dict[str, Any]:
        """The faults in force, with the ids of stalled jobs."""
        with self.lock:
            stalled = [
                job.id
                for scope in self.scopes.values()
                for job in scope.jobs.values()
                if job.stalled_at is not None
            ]
            return {**self.faults.to_dict(), "stalled_jobs": stalled}

    def _job(self, job_id: str) -> Job:
        for scope in self.scopes.values():
            if job_id in scope.jobs:
                return scope.jobs[job_id]
        raise KeyError(job_id)

    def reset(self) -> None:
        """Back to the fleet as loaded: no jobs, instances, faults or stats (time runs on)."""
        with self.lock:
            self.scopes = build_scopes(self.fleet, self.clock.now())
            self.fresh_ec2()
            self.faults = Faults()
            self.throttle.reset()
            self.calls.clear()
            self.launches.clear()
            self.key_log.clear()
            self.sts = StsIssuer(self.fleet)
            self.save()

    def save(self) -> None:
        """Write the state file (when there is one)."""
        if self.state_file is not None:
            with self.lock:
                persistence.save(self, self.state_file)


def build_scopes(fleet: Fleet, now: float) -> dict[tuple[str, str], ScopeState]:
    """Fresh per-account-and-Region state from the fleet."""
    scopes = {
        (account, region): ScopeState(account=account, region=region)
        for account, regions in fleet.account_regions().items()
        for region in regions
    }
    # Servers are kept in id order, the order every listing uses.
    for spec in sorted(fleet.servers, key=lambda s: s.id):
        state = spec.replication_state
        scopes[(spec.account, spec.region)].servers[spec.id] = ServerState(
            spec=spec,
            tags=dict(spec.tags),
            added_at=now - spec.lag_seconds if state in FRESH else now - 30 * DAY,
            launch_config=default_launch_configuration(spec.hostname, spec.os, spec.id),
            stalled_since=now - spec.lag_seconds if state in STOPPED else None,
        )
    return scopes


def default_launch_configuration(hostname: str, os: str, server_id: str) -> dict[str, Any]:
    """What DRS sets up for a new source server."""
    return {
        "name": hostname,
        "ec2LaunchTemplateID": "lt-" + hex_id(17, server_id, "template"),
        "launchDisposition": "STARTED",
        "targetInstanceTypeRightSizingMethod": "BASIC",
        "copyPrivateIp": False,
        "copyTags": True,
        "licensing": {"osByol": os == "WINDOWS"},
        "postLaunchEnabled": False,
    }
