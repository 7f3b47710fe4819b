"""A world for engine tests: real SQLite store, the DRS sandbox over boto3, a virtual clock.

The engine's clock reads the sandbox's virtual clock, so `drive()` can jump straight to the
next due time: hours of recovery run in a blink and nothing depends on wall time.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.config import Config

from drorch.adapters.storage.sqlite import SqliteStore
from drorch.domain.executions import Execution
from drorch.domain.groups import GroupDraft, Selection
from drorch.domain.plans import PlanDraft, Wave
from drorch.engine.advance import Engine
from drorch.engine.config import EngineConfig
from drorch.engine.runner import Runner
from drorch.services import executions as svc
from drorch.services.groups import create_group
from drorch.services.inventory import sync_inventory
from drorch.services.plans import create_plan
from drorch.services.readiness import ReadinessPorts
from tests.support.builders import register_accounts
from tests.support.identity import acting
from tests.support.sandbox import ACCOUNT, REGION, RunningSandbox, running_sandbox, sid


class SandboxTime:
    """The engine's Clock, reading (and moving) the sandbox's virtual clock."""

    def __init__(self, sb: RunningSandbox) -> None:
        self.sb = sb

    def now(self) -> datetime:
        """Sandbox time as an aware UTC datetime."""
        return datetime.fromtimestamp(self.sb.sandbox.clock.now(), UTC)

    def sleep(self, seconds: float) -> None:
        """Move sandbox time instead of sleeping."""
        self.sb.sandbox.advance(seconds)


@dataclass
class World:
    """Store + sandbox + engine + runner, driven step by step."""

    sb: RunningSandbox
    store: SqliteStore
    clock: SandboxTime
    runners: list[Runner] = field(default_factory=list)
    max_jump: float = 60.0
    drs: Any = None  # a gateway of its own (e.g. impatient clients), else the shared one
    settings: Any = None  # a LaunchSettingsStep: launch settings applied before each batch

    @property
    def gateway(self) -> Any:
        """The DRS gateway the engine uses."""
        return self.runners[0].engine.drs

    def add_runner(self, config: EngineConfig | None = None, seed: int = 0) -> Runner:
        """Another worker on the same store and sandbox (its own lease owner)."""
        engine = Engine(
            store=self.store,
            drs=self.drs or gateway_of(self.sb),
            clock=self.clock,
            owner=f"worker-{len(self.runners)}",
            config=config or EngineConfig(),
            rng=random.Random(seed),
            settings=self.settings,
        )
        runner = Runner(engine)
        self.runners.append(runner)
        return runner

    def plan(
        self,
        name: str,
        waves: Sequence[tuple[str, Sequence[str]]],
        *,
        depends: dict[str, list[str]] | None = None,
        pause_before: Sequence[str] = (),
        optional: Sequence[str] = (),
        account: str = ACCOUNT,
        region: str = REGION,
        cleanup_after: int | str = "keep",
    ) -> str:
        """Create one group per wave (explicit ids) and a plan; returns the plan id.

        Drills keep their instances (`cleanup_after` "keep") unless a test says otherwise,
        so runs end with their servers LAUNCHED for the test to look at.
        """
        wave_models = []
        for wave_name, ids in waves:
            overrides = {s: {"optional": True} for s in ids if s in optional}
            draft = GroupDraft(
                name=f"{name}-{wave_name}",
                account_id=account,
                region=region,
                selection=Selection(server_ids=list(ids)),
                server_overrides=overrides,
            )
            group = create_group(store=self.store, draft=draft).group
            wave_models.append(
                Wave(
                    name=wave_name,
                    protection_group_ids=[group.id],
                    depends_on=(depends or {}).get(wave_name),
                    pause_before=wave_name in pause_before,
                )
            )
        draft = PlanDraft(name=name, waves=wave_models, cleanup_after_minutes=cleanup_after)
        return create_plan(store=self.store, draft=draft).id

    def start(self, plan: str, type: str = "DRILL", **kw: Any) -> Execution:
        """Start an execution as the operator `tester`."""
        return svc.start_execution(
            store=self.store,
            drs=self.gateway,
            clock=self.clock,
            request=svc.StartRequest(plan, type, **kw),  # type: ignore[arg-type]
            audit=acting("tester"),
            # The launch-settings readiness check reads EC2 through the readiness ports.
            ports=ReadinessPorts(
                store=self.store,
                drs=self.gateway,
                clock=self.clock,
                ec2=self.settings.ec2 if self.settings else None,
            ),
        )

    def get(self, execution_id: str) -> Execution:
        """The stored execution."""
        return svc.get_execution(store=self.store, execution_id=execution_id)

    def tick(self) -> None:
        """Let every runner advance whatever is due now."""
        for runner in self.runners:
            runner.run_once()

    def jump(self) -> bool:
        """Move sandbox time to the next due time (at most `max_jump`); False when idle."""
        with self.store.read() as uow:
            due = uow.executions.next_due()
        if due is None:
            return False
        gap = (due - self.clock.now()).total_seconds()
        self.clock.sleep(min(max(gap, 0.0), self.max_jump))
        return True

    def drive(self, max_steps: int = 5000, until: Callable[[], bool] | None = None) -> int:
        """Tick and jump until nothing needs the engine (or `until()`); returns the steps."""
        for step in range(max_steps):
            self.tick()
            if until is not None and until():
                return step
            if not self.jump():
                return step
        raise AssertionError(f"executions still running after {max_steps} steps")

    def idle(self, execution_id: str) -> Callable[[], bool]:
        """A drive() stop: the execution is PAUSED with no job open."""

        def check() -> bool:
            ex = self.get(execution_id)
            return ex.status == "PAUSED" and not ex.open_batches()

        return check

    def launches(self) -> dict[str, int]:
        """StartRecovery launches per source server, as the sandbox counted them."""
        return dict(self.sb.stats()["launches"])


def ids(start: int, count: int) -> list[str]:
    """Source server ids start..start+count-1 of the sandbox test fleets."""
    return [sid(start + i) for i in range(count)]


_GATEWAYS: dict[int, Any] = {}


def gateway_of(sb: RunningSandbox) -> Any:
    """One gateway (and so one set of boto3 clients) per running sandbox."""
    if id(sb) not in _GATEWAYS:
        _GATEWAYS.clear()
        _GATEWAYS[id(sb)] = sb.gateway()
    return _GATEWAYS[id(sb)]


def make_world(
    sb: RunningSandbox,
    *,
    runners: int = 1,
    config: EngineConfig | None = None,
    drs_config: Config | None = None,
    settings: Any = None,
) -> World:
    """A world on a running sandbox with a fresh in-memory store and synced inventory.

    `drs_config` gives the engine boto3 clients of their own (e.g. a short read timeout);
    `settings` (a LaunchSettingsStep) makes the engine apply launch settings before batches.
    """
    w = World(sb=sb, store=SqliteStore(":memory:"), clock=SandboxTime(sb), settings=settings)
    register_accounts(w.store)
    if drs_config is not None:
        w.drs = sb.gateway(drs_config)
    for i in range(runners):
        w.add_runner(config, seed=i)
    sync_inventory(store=w.store, drs=w.gateway)
    return w


@contextmanager
def world(
    fleet: dict[str, Any],
    *,
    runners: int = 1,
    config: EngineConfig | None = None,
    drs_config: Config | None = None,
) -> Iterator[World]:
    """A world over a fleet, with its own sandbox served on 127.0.0.1."""
    with running_sandbox(fleet, clock="virtual") as sb:
        w = make_world(sb, runners=runners, config=config, drs_config=drs_config)
        try:
            yield w
        finally:
            w.store.close()


def active_usage(sb: RunningSandbox) -> dict[tuple[str, str], tuple[int, int]]:
    """Per account and Region: (active jobs, servers in active jobs), as the sandbox holds them."""
    with sb.sandbox.lock:
        usage = {}
        for scope in sb.sandbox.scopes.values():
            active = [j for j in scope.jobs.values() if j.status != "COMPLETED"]
            servers = sum(len(j.participants) for j in active)
            usage[(scope.account, scope.region)] = (len(active), servers)
        return usage


def events(w: World, execution_id: str) -> list[Any]:
    """The whole timeline of an execution."""
    return svc.events_since(store=w.store, execution_id=execution_id, limit=100_000)
