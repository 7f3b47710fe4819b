"""Wiring of DRS, EC2, the DRS sandbox, the AWS action executors and the Step Functions driver."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from drorch.config import Settings
from drorch.ports.drs import DrsGateway
from drorch.ports.ec2 import Ec2Gateway
from drorch.ports.sessions import SessionProvider
from drorch.ports.store import Store
from drorch.ports.waker import Waker
from drorch.wiring.deferred import Deferred

if TYPE_CHECKING:
    from drorch.adapters.aws.sandbox_transport import InProcessSandbox
    from drorch.bootstrap import Container


def make_drs(settings: Settings, container: Container) -> DrsGateway | None:
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
    """Build the sandbox app for `serve` to mount, and a gateway that calls it in-process."""
    from drorch.adapters.aws.drs import BotoDrsGateway, SandboxAccount
    from drorch.adapters.aws.sandbox_transport import InProcessSandbox
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
    url = _sandbox_url(settings)
    nearby = InProcessSandbox(container.sandbox_app, url)  # no socket, not on the API's loop
    _sandbox_accounts(settings, container, accounts, nearby)
    if sandbox.fleet.ec2 is not None:
        container.ec2 = _sandbox_ec2(settings, accounts, nearby)
    counted = _counted(container)
    return BotoDrsGateway.for_sandbox(url, accounts, on_client=lambda c: counted(nearby.attach(c)))


def _sandbox_spokes(settings: Settings, container: Container, sandbox: Any) -> DrsGateway:
    """The embedded sandbox reached hub -> STS AssumeRole -> spoke, like real accounts."""
    from datetime import UTC, datetime

    from drorch.adapters.aws.drs import SANDBOX_CONFIG, BotoDrsGateway
    from drorch.adapters.aws.ec2 import BotoEc2Gateway
    from drorch.adapters.aws.probe import AwsAccountProbe
    from drorch.adapters.aws.sandbox_spokes import DeployingSessions, FleetSpokes, hub_session
    from drorch.adapters.aws.sandbox_transport import InProcessSandbox, InProcessSessions
    from drorch.adapters.aws.sessions_for import account_sessions
    from drorch.adapters.aws.sts import StsSessions
    from drorch.services.accounts import list_accounts

    url = _sandbox_url(settings)
    root = f"{url}/"  # query-protocol calls (STS, EC2) post to the mount's root itself
    nearby = InProcessSandbox(container.sandbox_app, url)  # no socket, not on the API's loop
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
        hub=nearby.attach(hub_session(settings.aws_region)),
        region=settings.aws_region,
        endpoint_url=root,
        duration_seconds=settings.session_seconds,
        # Keys expire on the sandbox's clock, which may run faster than the wall's.
        now=lambda: datetime.fromtimestamp(sandbox.clock.now(), UTC),
        sink=container.metrics,  # AWS call metrics, as for real accounts
    )
    sessions = InProcessSessions(DeployingSessions(sts, deploy), nearby)
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


def _sandbox_ec2(settings: Settings, accounts: list[Any], nearby: InProcessSandbox) -> Ec2Gateway:
    """The embedded sandbox's EC2 (moto), at the same URL as its DRS."""
    from drorch.adapters.aws.ec2 import BotoEc2Gateway
    from drorch.adapters.aws.sessions_for import sandbox_key_sessions

    keys = {a.account_id: a.access_key for a in accounts}
    session_for = sandbox_key_sessions(keys.__getitem__)
    return BotoEc2Gateway(
        lambda scope, purpose: nearby.attach(session_for(scope, purpose)),
        endpoint_url=_sandbox_url(settings),
    )


def _sandbox_accounts(
    settings: Settings, container: Container, accounts: list[Any], nearby: InProcessSandbox
) -> None:
    """The fleet's accounts count as reachable; verify signs with their sandbox keys."""
    from drorch.adapters.aws.probe import AwsAccountProbe
    from drorch.adapters.aws.sandbox_sessions import SandboxKeySessions
    from drorch.adapters.aws.sandbox_transport import InProcessSessions

    ids = frozenset(a.account_id for a in accounts)
    container.direct_accounts = lambda: ids
    keys = {a.account_id: a.access_key for a in accounts}
    container.sessions = InProcessSessions(SandboxKeySessions(keys, sink=container.metrics), nearby)
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


def wire_step_executors(settings: Settings, container: Container) -> None:
    """The AWS action types' executors: the target accounts' sessions, or the embedded moto."""
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

    def build() -> Any:
        from drorch.adapters.aws.actions import AwsStepExecutors

        return AwsStepExecutors(sessions)

    # Built on first use: a request that runs or checks no action never imports them.
    container.steps = Deferred(build)


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
