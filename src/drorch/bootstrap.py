"""Composition root: Settings -> adapters -> the container every entry point uses."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from drorch.adapters.clock import SystemClock
from drorch.adapters.storage.sqlite import SqliteStore
from drorch.config import Settings
from drorch.engine.config import EngineConfig
from drorch.logs import configure_logging
from drorch.ports.accounts import AccountProbe
from drorch.ports.background import Background, Driver
from drorch.ports.backup import DatabaseFiles, TableBackups
from drorch.ports.clock import Clock
from drorch.ports.drs import DrsGateway
from drorch.ports.ec2 import Ec2Gateway
from drorch.ports.identity import TokenVerifier
from drorch.ports.sessions import SessionProvider
from drorch.ports.store import Store
from drorch.ports.waker import NoWaker, Waker
from drorch.services.auth import LocalAuth
from drorch.services.execution_reads import ExecutionReads

if TYPE_CHECKING:
    from drorch.engine.advance import Engine
    from drorch.services.notify_dispatcher import Dispatcher

__all__ = ["Background", "Container", "Driver", "bootstrap"]


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
    settings = settings or Settings()
    configure_logging(settings)
    container = Container(
        settings=settings,
        store=store or _store(settings),
        clock=clock or SystemClock(),
        engine_config=engine_config(settings),
    )
    container.metrics = _metrics(settings, container.store)
    container.emf = _emf(settings, container.metrics)
    container.drs = drs or _drs(settings, container)
    _step_executors(settings, container)
    _identity(settings, container)
    _runner(settings, container)
    container.reads = _reads(settings, container)
    _notifications(settings, container)
    _scheduler(settings, container)
    return container


def _step_executors(settings: Settings, container: Container) -> None:
    """The AWS action types' executors: the target accounts' sessions, or the embedded moto."""
    from drorch.adapters.aws.actions import AwsStepExecutors

    if settings.sandbox:
        if container.sandbox_app is not None and settings.sandbox_aws:
            container.steps = _sandbox_steps(settings, container)
        return
    if container.sessions is None:
        return
    from drorch.adapters.aws.sessions_for import account_sessions
    from drorch.services.accounts import list_accounts

    store = container.store
    hub = {settings.hub_account_id} if settings.hub_account_id else set()
    sessions = account_sessions(container.sessions, lambda: list_accounts(store=store), hub)
    container.steps = AwsStepExecutors(sessions)


def _sandbox_steps(settings: Settings, container: Container) -> Any:
    """moto in-process for the actions' services, seeded; SSM Automation from the sandbox."""
    from drorch.adapters.aws.actions import AwsStepExecutors
    from drorch.adapters.aws.sessions_for import sandbox_key_sessions
    from drorch.sandbox.aws_moto import EmbeddedMoto, LazyEndpoints, tag_call_account
    from drorch.sandbox.aws_seed import seed_fleet

    sandbox = container.sandbox_app.state.sandbox
    moto = EmbeddedMoto(lambda url: seed_fleet(url, sandbox))
    container.aws_endpoint = moto
    container.background.append(moto)
    keys = {a.id: a.keys[0] for a in sandbox.fleet.accounts}
    # JSON protocols post to the mount's root itself (no redirect to the trailing slash).
    endpoints = LazyEndpoints(moto, {"ssm_automation": f"{_sandbox_url(settings)}/"})
    return AwsStepExecutors(
        sandbox_key_sessions(keys.__getitem__), endpoints, on_client=tag_call_account
    )


def _reads(settings: Settings, container: Container) -> ExecutionReads:
    """Execution reads over the store, their cursors signed with the store's cursor key."""
    from drorch.adapters.storage.paging import Cursors

    return ExecutionReads(container.store, Cursors(_cursor_key(settings)))


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


def _identity(settings: Settings, container: Container) -> None:
    """Local sign-in and the token verifiers, tried in order for every bearer token."""
    from datetime import timedelta

    from drorch.adapters.identity.local import (
        ApiTokenVerifier,
        Argon2Passwords,
        JwtSigner,
        LocalJwtVerifier,
        signing_key,
    )
    from drorch.domain.common import utcnow
    from drorch.services.auth import SignInPolicy

    secret = settings.jwt_secret.get_secret_value() if settings.jwt_secret else None
    signer = JwtSigner(
        lambda: signing_key(secret, settings.data_dir),
        lifetime=timedelta(minutes=settings.access_token_minutes),
    )
    policy = SignInPolicy(
        refresh_lifetime=timedelta(hours=settings.refresh_token_hours),
        max_failures=settings.login_max_failures,
        lock_window=timedelta(minutes=settings.login_lock_minutes),
    )
    container.auth = LocalAuth(passwords=Argon2Passwords(), signer=signer, policy=policy)
    container.verifiers = [
        ApiTokenVerifier(container.store, utcnow, _principal_cache(settings, container.store)),
        LocalJwtVerifier(
            signer, container.store, utcnow, _principal_cache(settings, container.store)
        ),
    ]
    cognito = _cognito_verifier(settings)
    if cognito is not None:
        container.verifiers.append(cognito)


def _principal_cache(settings: Settings, store: Store) -> Any:
    """A cache of verified principals, checked against the store's identity epoch."""
    from datetime import timedelta

    from drorch.adapters.identity.cache import PrincipalCache
    from drorch.adapters.identity.local import NO_CACHE
    from drorch.ports.identity import IdentityEpoch

    if not isinstance(store, IdentityEpoch):  # a store that cannot say when identity changed
        return NO_CACHE
    return PrincipalCache(store.identity_epoch, ttl=timedelta(seconds=settings.auth_cache_seconds))


def _cognito_verifier(settings: Settings) -> TokenVerifier | None:
    """The Cognito verifier when a user pool (issuer and app client) is configured."""
    if not (settings.cognito_issuer and settings.cognito_client_id):
        return None
    from drorch.adapters.identity.cognito import CognitoVerifier

    return CognitoVerifier.from_settings(settings)


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
    from drorch.engine.steps.run import StepDriver

    return StepDriver(ExecutorTable(step_executors(container)), container.clock)


def _notifications(settings: Settings, container: Container) -> None:
    """The notification dispatcher: in the background when enabled, for "send test" always."""
    from drorch.engine.runner import worker_id

    # SNS publishes as the hub; a sandbox's key sessions have no hub, so it gets its own.
    hub = container.sessions if not settings.sandbox else None
    container.notifier = notification_dispatcher(
        settings, container.store, sessions=hub, clock=container.clock, owner=worker_id()
    )
    if settings.notify_enabled:
        container.background.append(container.notifier)
    from drorch.services.readiness_notices import readiness_notifier

    container.readiness_listeners.append(readiness_notifier(container.store))


def notification_dispatcher(
    settings: Settings,
    store: Store,
    *,
    clock: Clock,
    owner: str,
    sessions: SessionProvider | None = None,
) -> Dispatcher:
    """A dispatcher with every channel adapter (tests pass their own clock and owner)."""
    from drorch.adapters.aws.sns import SnsSender
    from drorch.adapters.aws.sts import StsSessions
    from drorch.adapters.notify.email import EmailSender
    from drorch.adapters.notify.senders import ChannelSenders
    from drorch.adapters.notify.webhook import WebhookSender
    from drorch.domain.notifications import ChannelType
    from drorch.services.doctor import thresholds
    from drorch.services.notify_dispatcher import DispatchConfig, Dispatcher

    hub = sessions or StsSessions(region=settings.aws_region)
    timeout = settings.notify_timeout_seconds
    sender = ChannelSenders(
        {
            ChannelType.SNS: SnsSender(hub, endpoint_url=settings.sns_endpoint_url),
            ChannelType.EMAIL: EmailSender(timeout=timeout),
            ChannelType.WEBHOOK: WebhookSender(timeout=timeout),
        }
    )
    config = DispatchConfig(
        public_url=settings.link_base_url,
        poll_seconds=settings.notify_poll_seconds,
        lease_seconds=max(60.0, 3 * timeout),
        max_attempts=settings.notify_max_attempts,
        retry_base_seconds=settings.notify_retry_base_seconds,
        retry_max_seconds=settings.notify_retry_max_seconds,
        stuck_every_seconds=settings.notify_stuck_check_seconds,
    )
    return Dispatcher(
        store=store,
        sender=sender,
        clock=clock,
        owner=owner,
        config=config,
        limits=thresholds(settings),
    )


def _scheduler(settings: Settings, container: Container) -> None:
    """The local scheduler of schedules (drills, readiness, backups), when enabled."""
    if not settings.scheduler_enabled:
        return
    container.background.append(scheduler_for(container, container.clock))


def scheduler_for(container: Container, clock: Any) -> Any:
    """A scheduler over the container's store, DRS and runner, on `clock` (tests: virtual)."""
    from datetime import timedelta

    from drorch.engine.runner import worker_id
    from drorch.services.schedule_runs import RunTools, plan_readiness
    from drorch.services.scheduler import Scheduler

    settings = container.settings
    store, drs = container.store, container.drs
    tools = RunTools(
        store=store,
        clock=clock,
        drs=drs,
        waker=container.waker,
        readiness=plan_readiness(readiness_ports(container, clock)),
        backups=_scheduled_backups(settings),
    )
    return Scheduler(
        tools,
        owner=worker_id(),
        late_after=timedelta(seconds=settings.scheduler_late_seconds),
        max_sleep=settings.scheduler_poll_seconds,
    )


def _scheduled_backups(settings: Settings) -> Any:
    """What a backup schedule writes: archives of the SQLite file, or DynamoDB backups."""
    from drorch.services.backup import Layout
    from drorch.services.scheduled_backup import ScheduledBackups, ScheduledTableBackups

    managed = table_backups(settings)
    if managed is not None:
        return ScheduledTableBackups(managed)
    return ScheduledBackups(database_files(settings), Layout(settings.data_dir, settings.db_path))


def _store(settings: Settings) -> Store:
    if settings.store == "dynamodb":
        return _dynamodb_store(settings)
    return SqliteStore(
        settings.db_path, cache_mb=settings.sqlite_cache_mb, cursor_key=_cursor_key(settings)
    )


def _dynamodb_store(settings: Settings) -> Store:
    """The DynamoDB store (tables created when missing)."""
    from drorch.adapters.storage.dynamodb import DynamoStore

    return DynamoStore(
        _dynamodb_client(settings),
        prefix=settings.dynamodb_table_prefix,
        cursor_key=_cursor_key(settings),
    )


def _dynamodb_client(settings: Settings) -> Any:
    """A DynamoDB client from the hub's session, at the configured endpoint."""
    from botocore.config import Config

    from drorch.adapters.aws.sts import StsSessions

    hub = StsSessions(region=settings.aws_region, endpoint_url=settings.aws_endpoint_url_sts)
    return hub.session(None, purpose="store").client(
        "dynamodb",
        region_name=settings.aws_region,
        endpoint_url=settings.dynamodb_endpoint_url,
        # The adapter retries throttling itself, with jitter; botocore tries once more only.
        config=Config(retries={"mode": "standard", "total_max_attempts": 2}),
    )


def _cursor_key(settings: Settings) -> bytes:
    """The key signing list cursors: configured, else kept in the data dir."""
    from drorch.adapters.keyfile import load_or_create_key

    if settings.cursor_secret is not None:
        return settings.cursor_secret.get_secret_value().encode()
    return load_or_create_key(settings.cursor_key_path)


def _drs(settings: Settings, container: Container) -> DrsGateway | None:
    """The DRS gateway: embedded sandbox, a standalone sandbox, or none configured."""
    from drorch.adapters.aws.drs import BotoDrsGateway

    if settings.sandbox:
        return _embedded_sandbox(settings, container)
    if settings.drs_endpoint_url:
        gateway = BotoDrsGateway.for_sandbox_endpoint(
            settings.drs_endpoint_url, on_client=_counted(container)
        )
        container.direct_accounts = lambda: frozenset(s.account_id for s in gateway.scopes())
        container.ec2 = _sandbox_endpoint_ec2(settings)
        return gateway
    if not settings.drs_enabled:
        return None
    return _real_drs(settings, container)


def _real_drs(settings: Settings, container: Container) -> DrsGateway:
    """Real DRS (or AWS_ENDPOINT_URL_DRS) in every registered account, via assumed roles."""
    from drorch.adapters.aws.drs import BotoDrsGateway
    from drorch.adapters.aws.probe import AwsAccountProbe
    from drorch.adapters.aws.sts import StsSessions
    from drorch.ports.drs import Scope
    from drorch.services.accounts import list_accounts

    sessions = StsSessions(
        region=settings.aws_region,
        endpoint_url=settings.aws_endpoint_url_sts,
        duration_seconds=settings.session_seconds,
        sink=container.metrics,
    )
    container.sessions = sessions
    container.account_probe = AwsAccountProbe(
        sessions, drs_endpoint_url=settings.aws_endpoint_url_drs
    )
    hub = settings.hub_account_id
    store = container.store
    container.ec2 = _real_ec2(settings, sessions, store)
    return BotoDrsGateway.for_accounts(
        sessions,
        accounts=lambda: list_accounts(store=store),
        hub_scopes=[Scope(hub, settings.aws_region)] if hub else [],
        endpoint_url=settings.aws_endpoint_url_drs,
    )


def _real_ec2(settings: Settings, sessions: SessionProvider, store: Store) -> Ec2Gateway:
    """EC2 (or AWS_ENDPOINT_URL_EC2) through the same sessions as DRS."""
    from drorch.adapters.aws.ec2 import BotoEc2Gateway
    from drorch.adapters.aws.sessions_for import account_sessions
    from drorch.services.accounts import list_accounts

    hub = {settings.hub_account_id} if settings.hub_account_id else set()
    return BotoEc2Gateway(
        account_sessions(sessions, lambda: list_accounts(store=store), hub),
        endpoint_url=settings.aws_endpoint_url_ec2,
    )


def _sandbox_endpoint_ec2(settings: Settings) -> Ec2Gateway:
    """EC2 of a standalone sandbox, signing with its accounts' keys like DRS does."""
    from drorch.adapters.aws.drs import SandboxDirectory
    from drorch.adapters.aws.ec2 import BotoEc2Gateway
    from drorch.adapters.aws.sessions_for import sandbox_key_sessions

    url = settings.drs_endpoint_url or ""
    directory = SandboxDirectory(url)
    return BotoEc2Gateway(
        sandbox_key_sessions(directory.access_key), endpoint_url=settings.ec2_endpoint_url or url
    )


def _embedded_sandbox(settings: Settings, container: Container) -> DrsGateway:
    """Build the sandbox app for `serve` to mount, and a gateway that calls it over HTTP."""
    from drorch.adapters.aws.drs import BotoDrsGateway, SandboxAccount
    from drorch.sandbox import Sandbox, create_app

    sandbox = Sandbox.open(
        settings.sandbox_fleet,
        clock=settings.sandbox_clock,
        time_scale=settings.sandbox_time_scale,
        state_file=settings.sandbox_state_file,
    )
    container.sandbox_app = create_app(sandbox)
    # Mounted apps get no lifespan of their own, so the container saves the state on stop.
    container.background.append(_SandboxSaver(sandbox))
    regions = sandbox.fleet.account_regions()
    accounts = [
        SandboxAccount(a.id, a.keys[0], tuple(regions[a.id])) for a in sandbox.fleet.accounts
    ]
    if settings.sandbox_hub:
        return _sandbox_spokes(settings, container, sandbox)
    _sandbox_accounts(settings, container, accounts)
    if sandbox.fleet.ec2 is not None:
        container.ec2 = _sandbox_ec2(settings, accounts)
    return BotoDrsGateway.for_sandbox(
        _sandbox_url(settings), accounts, on_client=_counted(container)
    )


def _sandbox_spokes(settings: Settings, container: Container, sandbox: Any) -> DrsGateway:
    """The embedded sandbox reached hub -> STS AssumeRole -> spoke, like real accounts."""
    from datetime import UTC, datetime

    from drorch.adapters.aws.drs import SANDBOX_CONFIG, BotoDrsGateway
    from drorch.adapters.aws.ec2 import BotoEc2Gateway
    from drorch.adapters.aws.probe import AwsAccountProbe
    from drorch.adapters.aws.sandbox_spokes import DeployingSessions, FleetSpokes, hub_session
    from drorch.adapters.aws.sessions_for import account_sessions
    from drorch.adapters.aws.sts import StsSessions
    from drorch.services.accounts import list_accounts

    url = _sandbox_url(settings)
    root = f"{url}/"  # query-protocol calls (STS, EC2) post to the mount's root itself
    store = container.store
    names = {a.id: a.name for a in sandbox.fleet.accounts}
    spokes = FleetSpokes(sandbox.fleet.account_regions(), names, lambda: list_accounts(store=store))

    def deploy(access: Any) -> None:
        trust = sandbox.sts.trusts.get(access.account_id)
        if trust is not None and (trust.role_arn, trust.external_id) != (
            access.role_arn,
            access.external_id,
        ):
            sandbox.sts.set_trust(access.account_id, access.role_arn, access.external_id)

    sts = StsSessions(
        hub=hub_session(settings.aws_region),
        region=settings.aws_region,
        endpoint_url=root,
        duration_seconds=settings.session_seconds,
        # Keys expire on the sandbox's clock, which may run faster than the wall's.
        now=lambda: datetime.fromtimestamp(sandbox.clock.now(), UTC),
        sink=container.metrics,  # AWS call metrics, as for real accounts
    )
    sessions = DeployingSessions(sts, deploy)
    ids = frozenset(names)
    container.direct_accounts = lambda: ids
    container.sessions = sessions
    container.account_probe = AwsAccountProbe(sessions, drs_endpoint_url=url, check_ec2=False)
    if sandbox.fleet.ec2 is not None:
        container.ec2 = BotoEc2Gateway(
            account_sessions(sessions, spokes.accounts, set()), endpoint_url=root
        )
    return BotoDrsGateway.for_accounts(
        sessions, accounts=spokes.accounts, endpoint_url=url, config=SANDBOX_CONFIG
    )


def _sandbox_ec2(settings: Settings, accounts: list[Any]) -> Ec2Gateway:
    """The embedded sandbox's EC2 (moto), at the same URL as its DRS."""
    from drorch.adapters.aws.ec2 import BotoEc2Gateway
    from drorch.adapters.aws.sessions_for import sandbox_key_sessions

    keys = {a.account_id: a.access_key for a in accounts}
    return BotoEc2Gateway(
        sandbox_key_sessions(keys.__getitem__), endpoint_url=_sandbox_url(settings)
    )


def _sandbox_accounts(settings: Settings, container: Container, accounts: list[Any]) -> None:
    """The fleet's accounts count as reachable; verify signs with their sandbox keys."""
    from drorch.adapters.aws.probe import AwsAccountProbe
    from drorch.adapters.aws.sandbox_sessions import SandboxKeySessions

    ids = frozenset(a.account_id for a in accounts)
    container.direct_accounts = lambda: ids
    container.sessions = SandboxKeySessions(
        {a.account_id: a.access_key for a in accounts}, sink=container.metrics
    )
    # The sandbox speaks DRS only so far: verify checks the DRS calls, not the EC2 reads.
    container.account_probe = AwsAccountProbe(
        container.sessions, drs_endpoint_url=_sandbox_url(settings), check_ec2=False
    )


def _counted(container: Container) -> Callable[[Any], Any]:
    """Instruments each DRS client made outside a session provider (sandbox keys)."""
    from functools import partial

    from drorch.adapters.aws.instrument import instrument_client

    return partial(instrument_client, sink=container.metrics)


def _sandbox_url(settings: Settings) -> str:
    # A wildcard bind address is not something a client can connect to.
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "", "::") else settings.host
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{settings.port}/sandbox/drs"


@dataclass
class _SandboxSaver:
    """Writes the embedded sandbox's state file when the process stops."""

    sandbox: Any

    def start(self) -> None:
        """Nothing to start: the sandbox answers through the mounted app."""

    def stop(self) -> None:
        """Save the state (no-op without a state file)."""
        self.sandbox.save()


def readiness_ports(container: Container, clock: Any = None) -> Any:
    """What readiness runs need from this process (API, CLI and the scheduler use it)."""
    from drorch.engine.retrying import ReadRetry
    from drorch.services.readiness import ReadinessPorts
    from drorch.services.readiness_checks import Policy

    settings = container.settings
    policy = Policy(
        lag_seconds=settings.readiness_lag_seconds,
        retry=ReadRetry(budget=settings.preflight_retry_seconds),
    )
    return ReadinessPorts(
        store=container.store,
        drs=container.drs,
        clock=clock or container.clock,
        probe=container.account_probe,
        sessions=container.sessions,
        ec2=container.ec2,
        steps=container.steps,
        policy=policy,
        listeners=container.readiness_listeners,
    )


def database_files(settings: Settings) -> DatabaseFiles:
    """The store's file operations for backup and restore (SQLite is the only file store)."""
    from drorch.adapters.storage.sqlite.backup import SqliteFiles

    return SqliteFiles()


def table_backups(settings: Settings) -> TableBackups | None:
    """Backups of a store kept in managed tables (DynamoDB); None for the SQLite file store."""
    if settings.store != "dynamodb":
        return None
    from drorch.adapters.storage.dynamodb.backup import DynamoBackups

    return DynamoBackups(_dynamodb_client(settings), settings.dynamodb_table_prefix)


def data_dir_held(settings: Settings) -> AbstractContextManager[None]:
    """The data dir's lock, held shared while a server or worker runs (a restore waits for it)."""
    from drorch.adapters.datadir_lock import held_shared

    return held_shared(settings.data_dir)


def stepfunctions_driver(settings: Settings, container: Container) -> Waker:
    """The Step Functions driver's waker, its client made from the hub's session."""
    from drorch.adapters.aws.stepfunctions import StepFunctionsDriver, stepfunctions_client
    from drorch.adapters.aws.sts import StsSessions

    # A sandbox's sessions sign with fleet keys; Step Functions is the hub's own service.
    real = not (settings.sandbox or settings.drs_endpoint_url)
    hub = (
        container.sessions
        if real and container.sessions
        else StsSessions(region=settings.aws_region)
    )
    return StepFunctionsDriver(
        store=container.store,
        client=stepfunctions_client(hub, endpoint_url=settings.stepfunctions_endpoint_url),
        state_machine_arn=settings.state_machine_arn,
        max_loops=settings.driver_max_loops,
    )


def deploy_sessions(settings: Settings, *, profile: str | None, region: str) -> SessionProvider:
    """The session provider `drorch deploy` uses: a named profile (or the default chain)."""
    from drorch.adapters.aws.deploy_sessions import profile_sessions

    return profile_sessions(profile=profile, region=region, endpoint_url=settings.aws_endpoint_url)
