"""What decide() wishes and what act() reports back: plain data between the steps."""

from __future__ import annotations

from dataclasses import dataclass

from drorch.domain.statuses import BatchKind
from drorch.engine.observe import DrsFault
from drorch.ports.drs import DrsJob


@dataclass(frozen=True)
class Wish:
    """A DRS job decide() wants started now: a LAUNCH chunk of a wave or a TERMINATE."""

    kind: BatchKind
    account_id: str
    region: str
    source_server_ids: tuple[str, ...]
    wave: str | None = None
    recovery_instance_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Started:
    """DRS accepted the call: the batch runs as `job`."""

    wish: Wish
    batch_id: str
    server_ids: tuple[str, ...]
    job: DrsJob


@dataclass(frozen=True)
class Deferred:
    """No quota headroom now (or a RECOVERY goes first); try again later."""

    wish: Wish
    reason: str


@dataclass(frozen=True)
class Refused:
    """DRS refused the call; no job exists. Retryable faults back off, others fail servers."""

    wish: Wish
    batch_id: str
    server_ids: tuple[str, ...]
    fault: DrsFault
    jitter: float = 0.5


@dataclass(frozen=True)
class Unknown:
    """The call's outcome is unknown (e.g. the connection broke): reconcile before reissuing."""

    wish: Wish
    batch_id: str
    server_ids: tuple[str, ...]
    message: str


Outcome = Started | Deferred | Refused | Unknown
