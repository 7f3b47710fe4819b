"""Wiring of the background workers: notifications, the scheduler and readiness ports."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import TYPE_CHECKING, Any, cast

from drorch.config import Settings
from drorch.ports.clock import Clock
from drorch.ports.sessions import SessionProvider
from drorch.ports.store import Store
from drorch.wiring.deferred import Deferred
from drorch.wiring.stores import scheduled_backups

if TYPE_CHECKING:
    from drorch.bootstrap import Container
    from drorch.services.notify_dispatcher import Dispatcher


def wire_notifications(settings: Settings, container: Container) -> None:
    """The notification dispatcher: in the background when enabled, for "send test" always.

    Built on first use (wiring/deferred.py): its channels' TLS contexts, SMTP and HTTP
    client are a good share of a cold start that sends nothing.
    """
    # SNS publishes as the hub; a sandbox's key sessions have no hub, so it gets its own.
    hub = container.sessions if not settings.sandbox else None

    def build() -> Dispatcher:
        from drorch.engine.runner import worker_id

        return notification_dispatcher(
            settings, container.store, sessions=hub, clock=container.clock, owner=worker_id()
        )

    container.notifier = cast("Dispatcher", Deferred(build))
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


def wire_scheduler(settings: Settings, container: Container) -> None:
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
        backups=scheduled_backups(settings),
    )
    return Scheduler(
        tools,
        owner=worker_id(),
        late_after=timedelta(seconds=settings.scheduler_late_seconds),
        max_sleep=settings.scheduler_poll_seconds,
    )


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
        hub_accounts=HubAccounts(container),
    )


class HubAccounts(Collection[str]):
    """The container's hub accounts, asked when a run reads them, not when ports are built.

    Asking needs DRS (a sandbox lists its fleet): building the ports at start, before DRS
    answers (a cold Lambda, a sandbox still starting), must not call it.
    """

    def __init__(self, container: Container) -> None:
        self._container = container

    def __contains__(self, account: object) -> bool:
        return account in self._container.hub_accounts()

    def __iter__(self) -> Iterator[str]:
        return iter(self._container.hub_accounts())

    def __len__(self) -> int:
        return len(self._container.hub_accounts())


def wire_memory_trim(settings: Settings, container: Container) -> None:
    """The trimmer of the malloc heap (docs/operations.md#memory), when enabled."""
    if settings.memory_trim_seconds <= 0:
        return
    from drorch.adapters.memory import MemoryTrimmer

    container.background.append(MemoryTrimmer(settings.memory_trim_seconds))
