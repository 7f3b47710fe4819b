"""Composition root: Settings -> adapters -> the container every entry point uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from drorch.adapters.clock import SystemClock
from drorch.config import Settings
from drorch.engine.config import EngineConfig
from drorch.logs import configure_logging
from drorch.ports.accounts import AccountProbe
from drorch.ports.background import Background, Driver
from drorch.ports.clock import Clock
from drorch.ports.drs import DrsGateway
from drorch.ports.ec2 import Ec2Gateway
from drorch.ports.identity import TokenVerifier
from drorch.ports.sessions import SessionProvider
from drorch.ports.store import Store
from drorch.ports.waker import NoWaker, Waker
from drorch.services.auth import LocalAuth
from drorch.services.execution_reads import ExecutionReads
from drorch.wiring.aws import deploy_sessions, make_drs, stepfunctions_driver, wire_step_executors
from drorch.wiring.identity import wire_identity
from drorch.wiring.keys import with_shared_keys
from drorch.wiring.stores import (
    cursor_key,
    data_dir_held,
    database_files,
    make_store,
    table_backups,
)
from drorch.wiring.workers import (
    notification_dispatcher,
    readiness_ports,
    scheduler_for,
    wire_memory_trim,
    wire_notifications,
    wire_scheduler,
)

if TYPE_CHECKING:
    from drorch.engine.advance import Engine
    from drorch.services.notify_dispatcher import Dispatcher

# The wiring modules hold the parts; these names stay importable from here, the one root.
__all__ = [
    "Background",
    "Container",
    "Driver",
    "bootstrap",
    "data_dir_held",
    "database_files",
    "deploy_sessions",
    "notification_dispatcher",
    "readiness_ports",
    "scheduler_for",
    "table_backups",
]


@dataclass
class Container:
    """Everything wired for one process."""

    settings: Settings
    store: Store
    drs: DrsGateway | None = None
    ec2: Ec2Gateway | None = None  # launch templates and preflight network reads
    sandbox_app: Any = None
    runner: Driver | None = None
    background: list[Background] = field(default_factory=list)
    auth: LocalAuth | None = None
    verifiers: list[TokenVerifier] = field(default_factory=list)
    sessions: SessionProvider | None = None
    account_probe: AccountProbe | None = None
    notifier: Dispatcher | None = None  # sends notifications; "send test" uses it too
    # Accounts reached without a registered role: the hub's own, or a sandbox's fleet.
    direct_accounts: Callable[[], frozenset[str]] = frozenset
    # The read side of executions and its per-process cache of parsed versions.
    reads: ExecutionReads | None = None
    # Told when a plan's readiness changes (notifications subscribe here).
    readiness_listeners: list[Any] = field(default_factory=list)
    clock: Clock = field(default_factory=SystemClock)
    engine_config: EngineConfig = field(default_factory=EngineConfig)
    engine: Engine | None = None
    waker: Waker = field(default_factory=NoWaker)
    metrics: Any = None  # adapters.metrics.Metrics, None when turned off
    emf: Any = None  # adapters.emf.EmfPublisher when the metrics go to CloudWatch as EMF
    steps: Any = None  # ports.steps.StepExecutors of the AWS action types
    aws_endpoint: Any = None  # the embedded moto (sandbox_aws), once started: its .url

    def hub_accounts(self) -> frozenset[str]:
        """The accounts a group may use without registering them first."""
        hub = self.settings.hub_account_id
        return self.direct_accounts() | ({hub} if hub else set())

    def start(self) -> None:
        """Start the background workers."""
        for worker in self.background:
            worker.start()

    def stop(self) -> None:
        """Stop the background workers (last started, first stopped) and close the store."""
        for worker in reversed(self.background):
            worker.stop()
        self.store.close()


def bootstrap(
    settings: Settings | None = None,
    *,
    store: Store | None = None,
    drs: DrsGateway | None = None,
    clock: Clock | None = None,
) -> Container:
    """Build the container; tests and benchmarks pass their own store, DRS gateway or clock."""
    settings = with_shared_keys(settings or Settings())
    configure_logging(settings)
    container = Container(
        settings=settings,
        store=store or make_store(settings),
        clock=clock or SystemClock(),
        engine_config=engine_config(settings),
    )
    container.metrics = _metrics(settings, container.store)
    container.emf = _emf(settings, container.metrics)
    container.drs = drs or make_drs(settings, container)
    wire_step_executors(settings, container)
    wire_identity(settings, container)
    _runner(settings, container)
    container.reads = _reads(settings, container)
    wire_notifications(settings, container)
    wire_scheduler(settings, container)
    wire_memory_trim(settings, container)
    return container


def _reads(settings: Settings, container: Container) -> ExecutionReads:
    """Execution reads over the store, their cursors signed with the store's cursor key."""
    from drorch.adapters.storage.paging import Cursors

    return ExecutionReads(container.store, Cursors(cursor_key(settings)))


def _metrics(settings: Settings, store: Store) -> Any:
    """The process's Prometheus metrics (store gauges when the store can count)."""
    if not settings.metrics_enabled:
        return None
    from drorch.adapters.metrics import Metrics
    from drorch.domain.common import utcnow

    figures = store if hasattr(store, "engine_queue") else None
    return Metrics(figures, utcnow)  # type: ignore[arg-type]


def _emf(settings: Settings, metrics: Any) -> Any:
    """The EMF publisher of the process's metrics, when they go to CloudWatch Logs."""
    if not (settings.metrics_emf and metrics is not None):
        return None
    from drorch.adapters.emf import EmfPublisher

    environment = settings.metrics_environment
    dimensions = {"Environment": environment} if environment else {}
    return EmfPublisher(
        metrics.registry, namespace=settings.metrics_namespace, dimensions=dimensions
    )


def engine_config(settings: Settings) -> EngineConfig:
    """The engine's timings from the settings, shared by the runner and operator actions."""
    return EngineConfig(
        lease_seconds=settings.engine_lease_seconds,
        # A launch DRS never answered is re-issued only once this long has shown no job.
        reconcile_grace=settings.engine_launch_grace_seconds,
    )


def _runner(settings: Settings, container: Container) -> None:
    """The engine and its local runner (also the waker), when enabled and DRS is configured."""
    if not settings.runner_enabled or container.drs is None:
        return
    from drorch.engine.advance import Engine
    from drorch.engine.launch_step import LaunchSettingsStep
    from drorch.engine.runner import Runner, worker_id

    container.engine = Engine(
        store=container.store,
        drs=container.drs,
        clock=container.clock,
        owner=worker_id(),
        observer=container.metrics,
        config=container.engine_config,
        settings=LaunchSettingsStep(container.ec2),
        steps=step_driver(container),
    )
    if settings.driver == "stepfunctions":  # Step Functions calls advance: no local runner
        container.waker = stepfunctions_driver(settings, container)
        return
    runner = Runner(container.engine)
    container.runner = runner
    container.waker = runner
    container.background.append(runner)


def step_executors(container: Container) -> dict[str, Any]:
    """Action type -> its executor (wait and approval need none: the engine runs them)."""
    from drorch.adapters.http.check import HttpCheckExecutor

    executors: dict[str, Any] = {"http_check": HttpCheckExecutor()}
    aws = container.steps  # the AWS action types, when this process can reach AWS (or moto)
    if aws is not None:
        executors.update({name: aws.for_type(name) for name in aws.types()})
    return executors


def step_driver(container: Container) -> Any:
    """The engine's driver of action steps over every executor this process has."""
    from drorch.engine.steps.executors import ExecutorTable
    from drorch.engine.steps.run import StepDriver, StepTimings

    timings = StepTimings(poll=container.settings.engine_step_poll_seconds)
    return StepDriver(ExecutorTable(step_executors(container)), container.clock, timings)
