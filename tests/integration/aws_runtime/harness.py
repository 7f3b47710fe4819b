"""drorch's AWS runtime where AWS cannot be reached: moto in this process, real handlers.

moto runs as a ThreadedMotoServer on 127.0.0.1 with its Step Functions executing state
machines. Its Lambda without docker only echoes, so `LambdaHook` replaces the simple
backend's `invoke` (moto 5.2.5, pinned): each invoke imports the function's Handler, as the
Lambda runtime does, and calls it here, with drorch's real code. DRS is the sandbox; the
store is DynamoDB in the same moto (`STORES`), built through bootstrap by the handlers.
"""

from __future__ import annotations

import importlib
import io
import json
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import boto3
import httpx
import pytest
from botocore.config import Config
from moto.awslambda_simple.models import LambdaSimpleBackend
from moto.core.exceptions import JsonRESTError
from moto.server import ThreadedMotoServer

from tests.support.server import HOST, free_port

REGION = "us-east-1"
STATE_MACHINE = Path(__file__).resolve().parents[3] / "infra" / "state-machine.asl.json"
# The functions a deployment creates: substitution name -> (function name, handler).
FUNCTIONS = {
    "AdvanceFunctionArn": ("drorch-advance", "drorch.lambdas.advance.handler"),
    "SleepFunctionArn": ("drorch-sleep", "drorch.lambdas.sleep.handler"),
    "ContinueFunctionArn": ("drorch-continue", "drorch.lambdas.advance.continue_as_new"),
    "RecordFailureFunctionArn": ("drorch-record-failure", "drorch.lambdas.advance.record_failure"),
}
API_HOST = "api.drorch.test"  # the API Gateway domain the API is told to answer for
NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=5)
AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
}
# moto's defaults, put back when a module is done with its server.
MOTO_DEFAULTS = {"lambda": {"use_docker": True}, "stepfunctions": {"execute_state_machine": False}}


class LambdaServiceError(JsonRESTError):
    """A failure of Lambda itself (HTTP 500), as Step Functions sees Lambda.ServiceException."""

    code = 500


@dataclass
class Call:
    """One Lambda invoke the hook answered."""

    function: str
    event: dict[str, Any]
    at: float
    error: str | None = None


@dataclass
class LambdaHook:
    """Answers moto's Lambda invokes with the functions' real handlers, in this process."""

    calls: list[Call] = field(default_factory=list)
    faults: dict[str, list[str]] = field(default_factory=dict)  # function -> error codes
    lock: threading.Lock = field(default_factory=threading.Lock)

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Replace the simple backend's echo with a call of the function's handler."""
        hook = self

        def invoke(
            backend: Any,
            function_name: str,
            qualifier: str | None,
            body: Any,
            headers: Any,
            response_headers: Any,
        ) -> bytes:
            function = backend.get_function(function_name, qualifier)
            return hook.run(function.function_name, function.handler, body, response_headers)

        monkeypatch.setattr(LambdaSimpleBackend, "invoke", invoke)

    def fail_next(self, function: str, code: str = "ServiceException") -> None:
        """Make the next invoke of `function` fail in Lambda itself (before any handler runs)."""
        with self.lock:
            self.faults.setdefault(function, []).append(code)

    def run(self, function: str, handler: str, body: Any, response_headers: Any) -> bytes:
        """Call `module.attr` with the event, as the Lambda runtime would."""
        event = json.loads(body or b"{}")
        with self.lock:
            injected = (
                (self.faults.get(function) or [None]).pop(0) if function in self.faults else None
            )
        if injected:
            self._record(Call(function, event, time.monotonic(), error=injected))
            raise LambdaServiceError(injected, "injected by the test")
        module, _, attr = handler.rpartition(".")
        try:
            answer = getattr(importlib.import_module(module), attr)(event, None)
        except Exception as exc:  # a handler's crash is a function error, as in Lambda
            self._record(Call(function, event, time.monotonic(), error=type(exc).__name__))
            response_headers["x-amz-function-error"] = "Unhandled"
            return json.dumps({"errorType": type(exc).__name__, "errorMessage": str(exc)}).encode()
        self._record(Call(function, event, time.monotonic()))
        return json.dumps(answer).encode()

    def _record(self, call: Call) -> None:
        with self.lock:
            self.calls.append(call)

    def of(self, function: str) -> list[Call]:
        """The invokes of one function so far."""
        with self.lock:
            return [c for c in self.calls if c.function == function]


@dataclass
class Moto:
    """The in-process moto server and clients for it."""

    url: str

    def client(self, service: str) -> Any:
        """A boto3 client of `service` at this server."""
        return boto3.session.Session(region_name=REGION).client(
            service, endpoint_url=self.url, config=NO_RETRY
        )

    def configure(self, config: dict[str, Any]) -> None:
        """moto's own configuration (POST /moto-api/config)."""
        httpx.post(f"{self.url}/moto-api/config", json=config, timeout=10).raise_for_status()


@contextmanager
def threaded_moto(monkeypatch: pytest.MonkeyPatch) -> Iterator[Moto]:
    """moto on a free 127.0.0.1 port in this process, executing state machines."""
    port = free_port()
    for name, value in {**AWS_ENV, "MOTO_PORT": str(port)}.items():
        monkeypatch.setenv(name, value)  # MOTO_PORT: where its state machines call Lambda
    server = ThreadedMotoServer(ip_address=HOST, port=port, verbose=False)
    server.start()
    moto = Moto(f"http://{HOST}:{port}")
    try:
        moto.configure(
            {"lambda": {"use_docker": False}, "stepfunctions": {"execute_state_machine": True}}
        )
        yield moto
    finally:
        moto.configure(MOTO_DEFAULTS)
        httpx.post(f"{moto.url}/moto-api/reset", timeout=10)
        server.stop()


def deploy_state_machine(moto: Moto, name: str = "drorch-driver") -> str:
    """Create the functions and the state machine from infra/, as a template would; its ARN."""
    role = moto.client("iam").create_role(
        RoleName=f"{name}-role", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17"})
    )["Role"]["Arn"]
    definition = STATE_MACHINE.read_text()
    lam = moto.client("lambda")
    for key, (function, handler) in FUNCTIONS.items():
        arn = lam.create_function(
            FunctionName=function,
            Runtime="python3.11",
            Role=role,
            Handler=handler,
            Code={"ZipFile": _zip()},
        )["FunctionArn"]
        definition = definition.replace("${" + key + "}", arn)
    sfn = moto.client("stepfunctions")
    arn: str = sfn.create_state_machine(name=name, definition=definition, roleArn=role)[
        "stateMachineArn"
    ]
    return arn


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("placeholder.py", "# the handlers run from drorch's installed package\n")
    return buffer.getvalue()


# -- stores the runtime may use, each given as the settings naming it ------------------------


def dynamodb_store(data_dir: Path, moto: Moto) -> dict[str, str]:
    """The DynamoDB store in this same moto, as the runtime uses it on AWS."""
    return {
        "DRORCH_DATA_DIR": str(data_dir),
        "DRORCH_STORE": "dynamodb",
        "DRORCH_DYNAMODB_TABLE_PREFIX": f"rt-{data_dir.name}"[:60],
        "DRORCH_DYNAMODB_ENDPOINT_URL": moto.url,
    }


# The runtime on AWS keeps its state in DynamoDB (a Lambda has no lasting disk).
STORES: dict[str, Callable[[Path, Moto], dict[str, str]]] = {"dynamodb": dynamodb_store}


# -- API Gateway HTTP API (payload format 2.0) events ------------------------------------


def http_event(
    method: str,
    path: str,
    *,
    token: str | None = None,
    json_body: Any = None,
    form: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The event API Gateway sends a Lambda for one request."""
    sent = {"host": API_HOST, "user-agent": "aws-runtime-test", **(headers or {})}
    body = None
    if json_body is not None:
        body = json.dumps(json_body)
        sent["content-type"] = "application/json"
    elif form is not None:
        body = urlencode(form)
        sent["content-type"] = "application/x-www-form-urlencoded"
    elif method in ("POST", "PUT", "DELETE"):
        sent["content-type"] = "application/json"
    if token:
        sent["authorization"] = f"Bearer {token}"
    now = time.time()
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": urlencode(query or {}),
        "headers": sent,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "drorchapi",
            "domainName": API_HOST,
            "domainPrefix": "api",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "aws-runtime-test",
            },
            "requestId": f"req-{int(now * 1000)}",
            "routeKey": "$default",
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "body": body,
        "isBase64Encoded": False,
    }


def wait_for(check: Callable[[], Any], *, timeout: float, what: str, every: float = 0.05) -> Any:
    """Poll `check` until it answers something truthy; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
