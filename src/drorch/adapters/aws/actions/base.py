"""What every AWS action executor shares: clients per scope, error translation, undo phases.

Each executor subclasses `AwsExecutor` and writes the service moves (`_start`, `_poll`,
`_reconcile`, `_undo`, `_simulate`); the base runs them inside one error guard, so a
throttled call raises `StepThrottledError` and a refusal becomes a FAILED progress with
AWS's own code and message. A progress made by an undo carries `output["phase"] ==
"undo"`, so `poll` knows which of the two it is polling.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Callable, Mapping
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from drorch.adapters.aws.drs_errors import retry_after
from drorch.errors import SessionError, StepThrottledError
from drorch.ports.drs import Scope
from drorch.ports.steps import StepCall, StepProgress, StepState

# One attempt per call: the engine backs off and retries throttled steps itself.
ACTION_CONFIG = Config(
    retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=60
)
THROTTLED = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "ProvisionedThroughputExceededException",
    "PriorRequestNotComplete",  # Route 53: a change to the same zone is still being applied
    "LimitExceededException",  # DynamoDB: too many table operations at once
}
UNDO = "undo"
SessionFor = Callable[[Scope, str], Any]
OnClient = Callable[[Any, StepCall], Any]  # adjusts each new client (offline: moto's account)
MAX_CLIENTS = 512


def memo_tag(call: StepCall) -> str:
    """A short tag key naming this step's idempotency key (tag keys are length-limited)."""
    digest = hashlib.sha256(call.idempotency_key.encode()).hexdigest()[:16]
    return f"drorch:{digest}"


NONE = "none"  # a memo of "there was nothing before"


def pack(value: Mapping[str, Any] | None) -> str:
    """A value as a tag can hold it (AWS tag values allow letters, digits and _.:/=+-@)."""
    if value is None:
        return NONE
    text = json.dumps(value, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(text.encode()).decode()


def unpack(memo: str) -> dict[str, Any] | None:
    """The value `pack` made a tag of."""
    if memo == NONE:
        return None
    return dict(json.loads(base64.urlsafe_b64decode(memo.encode())))


def running(output: Mapping[str, Any] | None = None, **changed: Any) -> StepProgress:
    """A RUNNING progress."""
    return StepProgress(StepState.RUNNING, output=dict(output or {}), changed=dict(changed))


def succeeded(output: Mapping[str, Any] | None = None, **changed: Any) -> StepProgress:
    """A SUCCEEDED progress."""
    return StepProgress(StepState.SUCCEEDED, output=dict(output or {}), changed=dict(changed))


def failed(code: str, message: str, changed: Mapping[str, Any] | None = None) -> StepProgress:
    """A FAILED progress carrying the service's (or drorch's) error code and message."""
    return StepProgress(
        StepState.FAILED, changed=dict(changed or {}), error_code=code, error_message=message
    )


def undo_phase(progress: StepProgress) -> StepProgress:
    """The same progress, marked as an undo's (so `poll` polls the undo)."""
    output = {**progress.output, "phase": UNDO}
    return StepProgress(
        progress.state, output, dict(progress.changed), progress.error_code, progress.error_message
    )


class Clients:
    """boto3 clients per service, account, Region and purpose, from the session provider."""

    def __init__(
        self,
        session_for: SessionFor,
        endpoints: Mapping[str, str] | None = None,
        on_client: OnClient | None = None,
    ):
        self._session_for = session_for
        # Read on each new client, not copied: a sandbox's moto knows its URL once started.
        self._endpoints = endpoints if endpoints is not None else {}
        self._on_client = on_client
        self._made: dict[tuple[str, str, str, str], Any] = {}
        self._lock = threading.Lock()

    def client(self, service: str, call: StepCall, *, endpoint_key: str | None = None) -> Any:
        """The client of `service` in the call's account and Region (named after the execution).

        `endpoint_key` picks an endpoint override other than the service's own name (the
        sandbox answers SSM Automation, moto the rest of SSM).
        """
        key = (endpoint_key or service, call.account_id, call.region, call.execution_id)
        with self._lock:
            found = self._made.get(key)
        if found is not None:
            return found
        session = self._session_for(Scope(call.account_id, call.region), call.execution_id)
        made = session.client(
            service,
            region_name=call.region,
            endpoint_url=self._endpoints.get(endpoint_key or service),
            config=ACTION_CONFIG,
        )
        if self._on_client is not None:
            made = self._on_client(made, call)
        with self._lock:
            if len(self._made) >= MAX_CLIENTS:
                self._made.clear()  # clients are named per execution: keep the cache bounded
            return self._made.setdefault(key, made)


def error_code(exc: ClientError) -> str:
    """The AWS error code of a ClientError."""
    return str(exc.response.get("Error", {}).get("Code", ""))


def guarded(what: str, move: Callable[[], StepProgress]) -> StepProgress:
    """Run one service move: throttling raises, refusals become a FAILED progress."""
    try:
        return move()
    except ClientError as exc:
        return _client_error(what, exc)
    except SessionError as exc:
        return failed(exc.code or "SessionError", str(exc))
    except NoCredentialsError as exc:
        return failed("NoCredentials", f"{what}: no AWS credentials: {exc}")
    except BotoCoreError as exc:
        # Unreachable endpoint, timeout: worth another try after a pause, like throttling.
        raise StepThrottledError(f"{what}: service unreachable: {exc}", retry_after=10.0) from exc


def _client_error(what: str, exc: ClientError) -> StepProgress:
    code = error_code(exc)
    message = str(exc.response.get("Error", {}).get("Message", "")) or str(exc)
    status = int(exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
    if code in THROTTLED or status == 429:
        wait = retry_after(exc.response) or 5.0
        detail = f"{what}: throttled ({code}): {message}"
        raise StepThrottledError(detail, retry_after=wait) from exc
    if status >= 500:
        raise StepThrottledError(f"{what}: {code or status}: {message}", retry_after=10.0) from exc
    return failed(code or str(status), f"{what}: {message}")


class AwsExecutor:
    """A StepExecutor over one AWS service; subclasses write the service's moves."""

    service = ""

    def __init__(self, clients: Clients) -> None:
        self.clients = clients

    def client(self, call: StepCall) -> Any:
        """This executor's service client for the call's account and Region."""
        return self.clients.client(self.service, call)

    def start(self, call: StepCall) -> StepProgress:
        """Do the action (or, simulating, report what it would change); safe to repeat."""
        if call.simulate:
            return guarded(f"{call.type} (simulate)", lambda: self._simulate(call))
        return guarded(call.type, lambda: self._start(call))

    def poll(self, call: StepCall, last: StepProgress) -> StepProgress:
        """Where the action (or its undo) stands now."""
        if last.state != StepState.RUNNING:
            return last
        if last.output.get("phase") == UNDO:
            return guarded(f"{call.type} undo", lambda: undo_phase(self._poll_undo(call, last)))
        return guarded(call.type, lambda: self._poll(call, last))

    def reconcile(self, call: StepCall) -> StepProgress | None:
        """What a start made before a crash shows now; None when it did nothing."""
        found: list[StepProgress | None] = []

        def look() -> StepProgress:
            found.append(self._reconcile(call))
            return succeeded()

        progress = guarded(f"{call.type} reconcile", look)
        return found[0] if found else progress  # a refused lookup is the step's failure

    def undo(self, call: StepCall, changed: Mapping[str, Any]) -> StepProgress:
        """Put back what `changed` records (safe to repeat)."""
        if not changed:
            return undo_phase(succeeded({"undo": "nothing to undo"}))
        return guarded(f"{call.type} undo", lambda: undo_phase(self._undo(call, changed)))

    def _start(self, call: StepCall) -> StepProgress:
        raise NotImplementedError

    def _simulate(self, call: StepCall) -> StepProgress:
        raise NotImplementedError

    def _poll(self, call: StepCall, last: StepProgress) -> StepProgress:
        return last

    def _reconcile(self, call: StepCall) -> StepProgress | None:
        raise NotImplementedError

    def _undo(self, call: StepCall, changed: Mapping[str, Any]) -> StepProgress:
        return succeeded({"undo": "nothing to undo"})

    def _poll_undo(self, call: StepCall, last: StepProgress) -> StepProgress:
        return succeeded(last.output)
