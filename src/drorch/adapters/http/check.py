"""The `http_check` executor: call a URL until it answers the expected status and body.

Each start or poll makes one request; between tries the engine waits `interval_seconds`
(the progress's `poll_after`). A connection error or a wrong answer is a failed try; the
step fails when `attempts` tries have failed. A check changes nothing, so reconcile finds
nothing (it is simply tried again) and undo has nothing to do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from drorch.domain.steps.http_check import HttpCheckParams
from drorch.ports.steps import StepCall, StepProgress, StepState

BODY_EXCERPT = 200


class HttpCheckExecutor:
    """Runs http_check steps with httpx (a fresh connection per try)."""

    def __init__(self, transport: httpx.BaseTransport | None = None) -> None:
        self._transport = transport

    def start(self, call: StepCall) -> StepProgress:
        """The first try."""
        return self._try(call, tries=0)

    def poll(self, call: StepCall, last: StepProgress) -> StepProgress:
        """The next try."""
        return self._try(call, tries=int(last.output.get("tries", 0)))

    def reconcile(self, call: StepCall) -> StepProgress | None:
        """A check leaves no trace to find: try it again."""
        return None

    def undo(self, call: StepCall, changed: Mapping[str, Any]) -> StepProgress:
        """Nothing to put back."""
        return StepProgress(state=StepState.SUCCEEDED, output={"undone": "nothing to undo"})

    def _try(self, call: StepCall, *, tries: int) -> StepProgress:
        params = HttpCheckParams.model_validate(dict(call.params))
        tries += 1
        passed, seen = self._request(params)
        output = {"tries": tries, **seen}
        if passed:
            return StepProgress(state=StepState.SUCCEEDED, output=output)
        if tries >= params.attempts:
            message = f"{params.url} did not answer as expected after {tries} tries: {seen['last']}"
            return StepProgress(
                state=StepState.FAILED,
                output=output,
                error_code="CheckFailed",
                error_message=message,
            )
        return StepProgress(
            state=StepState.RUNNING, output=output, poll_after=params.interval_seconds
        )

    def _request(self, params: HttpCheckParams) -> tuple[bool, dict[str, Any]]:
        try:
            with httpx.Client(
                transport=self._transport, timeout=params.request_timeout_seconds
            ) as client:
                response = client.request(params.method, str(params.url))
        except httpx.HTTPError as exc:
            return False, {"last": f"{type(exc).__name__}: {exc}"}
        text = response.text
        status_ok = response.status_code == params.expected_status
        body_ok = params.body_contains is None or params.body_contains in text
        seen = {"status": response.status_code, "body": text[:BODY_EXCERPT]}
        if status_ok and body_ok:
            return True, {**seen, "last": f"HTTP {response.status_code}"}
        why = (
            f"HTTP {response.status_code}, expected {params.expected_status}"
            if not status_ok
            else f"body lacks {params.body_contains!r}"
        )
        return False, {**seen, "last": why}
