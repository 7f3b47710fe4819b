"""A drill driven by Step Functions, every Lambda task answered by drorch's real handlers.

moto (in this process) runs infra/state-machine.asl.json; the API is reached only through
the `api` handler with API Gateway events; DRS is the sandbox on a fast clock. The tests
share one runtime and run in file order: the later ones use the drill the first one ran.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from drorch.adapters.aws.stepfunctions import StepFunctionsDriver
from drorch.adapters.identity.local import Argon2Passwords
from drorch.domain.identity import Role
from drorch.errors import DriverError
from drorch.lambdas import advance, api, runtime, schedule, wake
from drorch.services import users
from drorch.services.audit import CLI_AUDIT
from tests.integration.aws_runtime.harness import (
    STORES,
    LambdaHook,
    Moto,
    deploy_state_machine,
    http_event,
    threaded_moto,
    wait_for,
)
from tests.support.sandbox import ACCOUNT, REGION, RunningSandbox, running_sandbox, sid, small_fleet

PASSWORD = "a-long-test-password-1"
# Sandbox seconds per real second: a Linux launch (about 5 sandbox minutes) takes 0.5 s.
TIME_SCALE = 600.0
MAX_WAIT = 30  # the longest Sleep: an early wake-up shows as an advance well before it
MAX_LOOPS = 3  # so the drill continues as new Step Functions executions on the way
RUN_LIMIT = 60.0  # a safety net for a broken loop, not a performance expectation
TERMINAL = {"COMPLETED", "PARTIAL", "FAILED", "CANCELLED"}


@dataclass
class Runtime:
    """The AWS side (moto), the hook, the sandbox and a signed-in API caller."""

    moto: Moto
    hook: LambdaHook
    state_machine: str
    sandbox: RunningSandbox
    token: str = ""

    def call(self, method: str, path: str, **kw: Any) -> tuple[int, dict[str, str], str]:
        """One request through the api handler: status, headers, body."""
        answer = api.handler(http_event(method, path, token=self.token, **kw), None)
        body = answer.get("body", "")
        if answer.get("isBase64Encoded"):  # API Gateway decodes it for the client
            body = base64.b64decode(body).decode()
        return answer["statusCode"], answer.get("headers", {}), body

    def json(self, method: str, path: str, expect: int = 200, **kw: Any) -> Any:
        """The JSON answer of a request, which must have status `expect`."""
        status, _, body = self.call(method, path, **kw)
        assert status == expect, body
        return json.loads(body)

    def execution(self, execution_id: str) -> dict[str, Any]:
        """The execution as the API shows it."""
        found: dict[str, Any] = self.json("GET", f"/api/v1/executions/{execution_id}")
        return found

    def loops(self) -> list[dict[str, Any]]:
        """The state machine's executions (the loops and their continuations)."""
        sfn = self.moto.client("stepfunctions")
        found: list[dict[str, Any]] = sfn.list_executions(stateMachineArn=self.state_machine)[
            "executions"
        ]
        return found


@pytest.fixture(scope="module", params=sorted(STORES))
def rt(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Runtime]:
    """One moto, sandbox and Lambda runtime per store the settings can name."""
    data_dir = tmp_path_factory.mktemp(f"runtime-{request.param}")
    with pytest.MonkeyPatch.context() as mp, threaded_moto(mp) as moto:
        hook = LambdaHook()
        hook.install(mp)
        arn = deploy_state_machine(moto)
        with running_sandbox(small_fleet(), clock="scaled", time_scale=TIME_SCALE) as sb:
            env = {
                **STORES[request.param](data_dir, moto),
                "DRORCH_DRS_ENDPOINT_URL": sb.url,
                "DRORCH_DRIVER": "stepfunctions",
                "DRORCH_STATE_MACHINE_ARN": arn,
                "DRORCH_STEPFUNCTIONS_ENDPOINT_URL": moto.url,
                "DRORCH_DRIVER_MAX_WAIT_SECONDS": str(MAX_WAIT),
                "DRORCH_DRIVER_MAX_LOOPS": str(MAX_LOOPS),
                "DRORCH_ALLOWED_HOSTS": "api.drorch.test",
                "DRORCH_JWT_SECRET": "runtime-test-jwt-secret-of-enough-length",
                "DRORCH_CURSOR_SECRET": "runtime-test-cursor-secret",
                "DRORCH_NOTIFY_ENABLED": "false",
                "DRORCH_SCHEDULER_ENABLED": "false",
            }
            for name, value in env.items():
                mp.setenv(name, value)
            runtime.reset()  # a cold start: the first invoke builds the container from these
            try:
                world = Runtime(moto, hook, arn, sb)
                _add_admin()
                world.token = _sign_in(world)
                yield world
            finally:
                runtime.reset()


def _add_admin() -> None:
    users.create_user(
        store=runtime.container().store,
        passwords=Argon2Passwords(),
        audit=CLI_AUDIT,
        username="admin",
        password=PASSWORD,
        role=Role.ADMIN,
    )


def _sign_in(rt: Runtime) -> str:
    form = {"username": "admin", "password": PASSWORD}
    answer = api.handler(http_event("POST", "/api/v1/auth/token", form=form), None)
    assert answer["statusCode"] == 200, answer["body"]
    token: str = json.loads(answer["body"])["access_token"]
    return token


def _drill_plan(rt: Runtime) -> str:
    rt.json("POST", "/api/v1/source-servers/sync")
    groups = []
    for n in (1, 2, 3):
        body = {
            "name": f"tier-{n}",
            "account_id": ACCOUNT,
            "region": REGION,
            "selection": {"server_ids": [sid(n)]},
        }
        groups.append(rt.json("POST", "/api/v1/protection-groups", 201, json_body=body)["id"])
    waves = [
        {"name": "w1", "protection_group_ids": [groups[0]]},
        {"name": "w2", "protection_group_ids": [groups[1]], "pause_before": True},
        {"name": "w3", "protection_group_ids": [groups[2]]},
    ]
    plan = rt.json("POST", "/api/v1/recovery-plans", 201, json_body={"name": "sfn", "waves": waves})
    plan_id: str = plan["id"]
    return plan_id


def _launch_event(server_id: str) -> dict[str, Any]:
    """What EventBridge delivers when DRS reports a server's launch."""
    return {
        "version": "0",
        "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        "detail-type": "DRS Source Server Launch Result",
        "source": "aws.drs",
        "account": ACCOUNT,
        "time": "2026-12-02T02:00:00Z",
        "region": REGION,
        "resources": [f"arn:aws:drs:{REGION}:{ACCOUNT}:source-server/{server_id}"],
        "detail": {"state": "DRILL_LAUNCH_SUCCEEDED"},
    }


def _token(execution_id: str) -> str | None:
    with runtime.container().store.read() as uow:
        return uow.executions.wake_token(execution_id)


def test_a_paused_three_wave_drill_runs_to_completed_on_step_functions(rt: Runtime) -> None:
    plan_id = _drill_plan(rt)
    # Kept after it ends, so a later test cleans it up by hand (its cleanup's own loop).
    body = {"plan_id": plan_id, "type": "DRILL", "cleanup_after_minutes": "keep"}
    started = rt.json("POST", "/api/v1/executions", 201, json_body=body)
    ex_id = started["id"]

    # The start began the loop, named after the execution; wave 2 holds it PAUSED.
    wait_for(lambda: rt.execution(ex_id)["status"] == "PAUSED", timeout=RUN_LIMIT, what="PAUSED")
    assert ex_id in {loop["name"] for loop in rt.loops()}
    wait_for(lambda: _token(ex_id), timeout=RUN_LIMIT, what="the Sleep's token")

    # Behind API Gateway the live stream answers one snapshot and closes: clients poll.
    began = time.monotonic()
    status, headers, body = rt.call("GET", f"/api/v1/executions/{ex_id}/stream")
    assert status == 200 and headers["x-stream-mode"] == "snapshot"
    assert "event: execution" in body and "retry: 2000" in body
    assert time.monotonic() - began < 5

    # A DRS event for one of its servers ends the Sleep long before its timeout.
    advances = len(rt.hook.of("drorch-advance"))
    woken_at = time.monotonic()
    assert wake.handler(_launch_event(sid(1)), None) == {"woken": [ex_id]}
    wait_for(
        lambda: len(rt.hook.of("drorch-advance")) > advances, timeout=MAX_WAIT / 3, what="a wake"
    )
    assert rt.hook.of("drorch-advance")[advances].at - woken_at < MAX_WAIT / 3
    assert rt.execution(ex_id)["status"] == "PAUSED"  # nothing to do yet: it sleeps again

    # The next advance fails in Lambda itself; the state machine's Retry tries it again.
    wait_for(lambda: _token(ex_id), timeout=RUN_LIMIT, what="the next Sleep")
    rt.hook.fail_next("drorch-advance")
    resumed = rt.json("POST", f"/api/v1/executions/{ex_id}/resume", json_body={"comment": "go on"})
    assert resumed["status"] == "RUNNING"

    done = wait_for(
        lambda: (e := rt.execution(ex_id))["status"] in TERMINAL and e,
        timeout=RUN_LIMIT,
        what="the end of the drill",
    )
    assert done["status"] == "COMPLETED"
    assert rt.sandbox.stats()["launches"] == {sid(1): 1, sid(2): 1, sid(3): 1}

    calls = rt.hook.of("drorch-advance")
    failed = [i for i, c in enumerate(calls) if c.error]
    assert [calls[i].error for i in failed] == ["ServiceException"]
    assert calls[failed[0] + 1].error is None  # the retry ran the real advance
    assert rt.hook.of("drorch-record-failure") == []

    # The long run went on as new executions (continue-as-new), and every one ended well.
    loops = wait_for(
        lambda: (ls := rt.loops()) and all(lp["status"] != "RUNNING" for lp in ls) and ls,
        timeout=RUN_LIMIT,
        what="every loop to end",
    )
    names = {lp["name"] for lp in loops}
    assert {ex_id, f"{ex_id}-g1"} <= names
    assert {lp["status"] for lp in loops} == {"SUCCEEDED"}
    sfn = rt.moto.client("stepfunctions")
    histories = [
        [e["type"] for e in sfn.get_execution_history(executionArn=lp["executionArn"])["events"]]
        for lp in loops
    ]
    # Sleeps that no event ended timed out at the engine's next look and went on advancing.
    assert any("TaskTimedOut" in types for types in histories)
    assert all(len(types) < 25_000 and "ExecutionFailed" not in types for types in histories)


def test_cleaning_up_the_finished_drill_runs_a_loop_of_its_own(rt: Runtime) -> None:
    ex_id = next(e["id"] for e in rt.json("GET", "/api/v1/executions")["items"])
    assert rt.execution(ex_id)["cleanup_status"] == "NOT_STARTED"
    rt.json("POST", f"/api/v1/executions/{ex_id}/terminate-instances", json_body={})
    done = wait_for(
        lambda: (e := rt.execution(ex_id))["cleanup_status"] in {"COMPLETED", "INCOMPLETE"} and e,
        timeout=RUN_LIMIT,
        what="the cleanup to end",
    )
    assert done["cleanup_status"] == "COMPLETED"
    cleanup = [lp for lp in rt.loops() if lp["name"].startswith(f"{ex_id}-cleanup-")]
    assert len(cleanup) == 1
    # A wake-up once nothing is left to do starts no loop.
    before = len(rt.loops())
    assert wake.handler({"execution_id": ex_id}, None) == {"woken": [ex_id]}
    assert len(rt.loops()) == before
    assert rt.sandbox.stats()["launches"] == {sid(1): 1, sid(2): 1, sid(3): 1}


def test_a_repeat_start_of_a_loop_is_no_error_and_an_unknown_token_is_already_awake(
    rt: Runtime,
) -> None:
    driver = runtime.container().waker
    assert isinstance(driver, StepFunctionsDriver)
    name = "ex-000000000001"
    assert driver.start(name, name) is True
    assert driver.start(name, name) is True  # the running loop answers: still one of them
    assert [lp["name"] for lp in rt.loops()].count(name) == 1
    # No such execution: its one advance ends the loop, and the name stays taken.
    wait_for(
        lambda: all(lp["status"] != "RUNNING" for lp in rt.loops() if lp["name"].startswith(name)),
        timeout=RUN_LIMIT,
        what="the loop of an unknown execution to end",
    )
    assert driver.start(name, name) is False
    assert driver.send("not-a-token-step-functions-issued") is False


def test_a_step_functions_refusal_is_a_driver_error(rt: Runtime) -> None:
    driver = runtime.container().waker
    assert isinstance(driver, StepFunctionsDriver)
    bad = "arn:aws:states:us-east-1:123456789012:stateMachine:no-such-machine"
    with pytest.raises(DriverError, match="Step Functions failed"):
        driver.continue_loop("ex-000000000002", "ex-000000000002", 0, state_machine_arn=bad)


def test_the_lambda_hook_runs_drorch_handlers_not_motos_echo(rt: Runtime) -> None:
    # If moto's invoke stops being hooked, this answer would be the echoed event.
    answer = rt.moto.client("lambda").invoke(
        FunctionName="drorch-advance", Payload=json.dumps({"execution_id": "ex-000000000003"})
    )
    assert json.loads(answer["Payload"].read()) == {
        "execution_id": "ex-000000000003",
        "status": "missing",
        "terminal": True,
        "wait_seconds": 1,
        "version": None,
    }


def test_the_health_answer_says_step_functions_drives_the_engine(rt: Runtime) -> None:
    status, _, body = rt.call("GET", "/health")
    assert status == 200
    assert json.loads(body)["checks"]["runner"] == {
        "status": "disabled",
        "detail": "Step Functions drives the engine",
    }


def test_record_failure_puts_the_loops_error_on_the_timeline(rt: Runtime) -> None:
    ex_id = rt.json("GET", "/api/v1/executions")["items"][0]["id"]
    failure = {"Error": "Lambda.ServiceException", "Cause": "kept failing"}
    assert advance.record_failure({"execution_id": ex_id, "failure": failure}, None) == {
        "recorded": True
    }
    events = rt.json("GET", f"/api/v1/executions/{ex_id}/events", query={"limit": "200"})["items"]
    last = events[-1]
    assert last["kind"] == "driver.failed"
    assert "Lambda.ServiceException: kept failing" in last["message"]


def test_the_schedule_handler_runs_what_is_due_once(rt: Runtime) -> None:
    plan_id = next(p["id"] for p in rt.json("GET", "/api/v1/recovery-plans")["items"])
    due = datetime.now(UTC) + timedelta(seconds=3)  # the first tick must come before it
    body = {"name": "nightly", "kind": "readiness", "plan_id": plan_id, "at": due.isoformat()}
    created = rt.json("POST", "/api/v1/schedules", 201, json_body=body)
    first = schedule.handler({}, None)
    assert first["runs"] == [] and first["notifications"]["stuck"] == []  # not due yet
    time.sleep(max(0.0, (due - datetime.now(UTC)).total_seconds()) + 0.05)
    runs = schedule.handler({}, None)["runs"]
    assert [(r["schedule_id"], r["status"]) for r in runs] == [(created["id"], "SUCCEEDED")]
    assert schedule.handler({}, None)["runs"] == []  # a one-off runs once


def test_a_start_step_functions_refuses_answers_a_problem_not_a_raw_aws_error(
    rt: Runtime,
) -> None:
    # Last in the module: the state machine is gone from here on.
    rt.moto.client("stepfunctions").delete_state_machine(stateMachineArn=rt.state_machine)
    plan_id = next(p["id"] for p in rt.json("GET", "/api/v1/recovery-plans")["items"])
    event = http_event(
        "POST",
        "/api/v1/executions",
        token=rt.token,
        json_body={"plan_id": plan_id, "type": "DRILL"},
    )
    answer = api.handler(event, None)
    assert answer["statusCode"] == 503
    assert answer["headers"]["content-type"] == "application/problem+json"
    assert answer["isBase64Encoded"] is False  # problems travel as the JSON text they are
    problem = json.loads(answer["body"])
    assert problem["type"] == "urn:drorch:problem:driver-unavailable"
    assert "Step Functions failed starting the loop" in problem["detail"]
