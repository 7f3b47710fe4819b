"""The Step Functions driver on AWS: start an execution's loop, send its stored task token.

`StepFunctionsDriver` is the Waker of processes whose engine Step Functions drives (the API
Lambda, the wake Lambda): an operator action or a DRS event ends the loop's Sleep by sending
the task token the Sleep stored (SendTaskSuccess); with no token stored, the execution is
started or mid-advance, so its loop is started, which a running one makes a no-op (the loop
is named after the execution: Step Functions refuses a second one with that name).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from drorch.engine.drivers.stepfunctions import generation_name, loop_input, loop_name
from drorch.errors import ConflictError, DriverError
from drorch.ports.store import Store

log = logging.getLogger(__name__)

# A few quick tries: the caller (an API request, a wake-up) waits on the answer.
SFN_CONFIG = Config(
    retries={"total_max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=10
)
# The Sleep ended already (timed out, or another wake sent the token first).
ALREADY_AWAKE = frozenset({"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"})
WOKEN = json.dumps({"woken": True})


class StepFunctionsDriver:
    """Implements the Waker port (ports/waker.py) with Step Functions."""

    def __init__(
        self,
        *,
        store: Store,
        client: Callable[[], Any],
        state_machine_arn: str | None,
        max_loops: int,
    ) -> None:
        self._store = store
        self._make_client = client
        self._arn = state_machine_arn
        self._max_loops = max_loops
        self._client: Any = None
        self._lock = threading.Lock()

    def wake(self, execution_id: str) -> None:
        """End the execution's Sleep now, or start its loop when it has none waiting."""
        token = self._token(execution_id)
        if token is not None:
            sent = self.send(token)
            self._clear(execution_id, token)
            if sent:
                return
            # That Sleep had ended: its loop may have ended too (e.g. before a cleanup).
        with self._store.read() as uow:
            execution = uow.executions.get(execution_id)
        if execution is not None and execution.needs_engine():
            self.start(execution_id, loop_name(execution))

    def start(self, execution_id: str, name: str) -> bool:
        """Start a loop named `name` for the execution.

        True when it runs now: just started, or already running with that name and input
        (Step Functions answers a repeat start with the running one). False when a loop of
        that name ran before and has ended: Step Functions never reuses a name.
        """
        document = loop_input(execution_id, name, max_loops=self._max_loops)
        return self._start(execution_id, name, document, self._arn)

    def continue_loop(
        self, execution_id: str, loop: str, generation: int, *, state_machine_arn: str
    ) -> str:
        """Start the loop's next generation (continue-as-new); its Step Functions name."""
        following = generation + 1
        name = generation_name(loop, following)
        document = loop_input(execution_id, loop, max_loops=self._max_loops, generation=following)
        self._start(execution_id, name, document, state_machine_arn)
        return name

    def _start(
        self, execution_id: str, name: str, document: dict[str, Any], arn: str | None
    ) -> bool:
        if not arn:
            # The state machine's own Lambdas are handed its ARN; only they continue loops.
            raise DriverError(f"cannot start the loop of {execution_id}: no state machine set")
        try:
            self._sfn().start_execution(stateMachineArn=arn, name=name, input=json.dumps(document))
        except ClientError as exc:
            if _code(exc) == "ExecutionAlreadyExists":
                return False
            raise _driver_error(f"starting the loop of {execution_id}", exc) from exc
        except BotoCoreError as exc:
            raise _driver_error(f"starting the loop of {execution_id}", exc) from exc
        log.info("started Step Functions loop %s for %s", name, execution_id)
        return True

    def send(self, token: str) -> bool:
        """SendTaskSuccess for a Sleep's token; False when that Sleep had ended already."""
        try:
            self._sfn().send_task_success(taskToken=token, output=WOKEN)
        except ClientError as exc:
            if _code(exc) in ALREADY_AWAKE:
                return False
            raise _driver_error("waking a Sleep", exc) from exc
        except BotoCoreError as exc:
            raise _driver_error("waking a Sleep", exc) from exc
        return True

    def _token(self, execution_id: str) -> str | None:
        with self._store.read() as uow:
            return uow.executions.wake_token(execution_id)

    def _clear(self, execution_id: str, token: str) -> None:
        # Only the token just sent: a newer Sleep may have stored its own meanwhile. On a
        # store with conditioned writes (DynamoDB) that race is a conflict: the new token stays.
        try:
            with self._store.transaction() as uow:
                if uow.executions.wake_token(execution_id) == token:
                    uow.executions.set_wake_token(execution_id, None)
        except ConflictError:
            log.info("a newer Sleep of %s stored its token meanwhile; it is kept", execution_id)

    def _sfn(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client = self._make_client()
            return self._client


def stepfunctions_client(sessions: Any, *, endpoint_url: str | None = None) -> Callable[[], Any]:
    """Makes the hub's Step Functions client from the session provider, when first needed."""

    def make() -> Any:
        session = sessions.session(None, purpose="driver")
        return session.client("stepfunctions", endpoint_url=endpoint_url, config=SFN_CONFIG)

    return make


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _driver_error(doing: str, exc: Exception) -> DriverError:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        text = f"{error.get('Code', 'error')}: {error.get('Message', '')}"
    else:
        text = str(exc) or type(exc).__name__
    return DriverError(f"Step Functions failed {doing}: {text}")
