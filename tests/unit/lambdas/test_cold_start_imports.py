"""The API Lambda's first request imports only what it needs (bench/lambda_coldstart_bench.py).

A fresh interpreter, with the API function's settings (real DRS and Step Functions wired,
no background workers; SQLite here so no moto is needed), answers `GET /health` through the
real handler. What a cold start must not pay for is then checked in `sys.modules`: the
resource routers (api/routers.py), the notification channels, the AWS action executors,
the engine and httpx. A later request under one router's paths imports that router only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from drorch.api.routers import ROUTERS

# Built on first use (wiring/deferred.py) or imported only where used.
NOT_ON_COLD_START = (
    "httpx",
    "smtplib",
    "drorch.adapters.aws.actions",
    "drorch.adapters.notify.webhook",
    "drorch.adapters.notify.email",
    "drorch.services.notify_dispatcher",
    "drorch.engine.advance",
    "drorch.engine.runner",
)
ROUTER_MODULES = tuple(ref.module for ref in ROUTERS)

PROBE = r"""
import json, sys
from drorch.lambdas import api

def get(path):
    event = {
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": "",
        "headers": {"host": "api.test"}, "isBase64Encoded": False,
        "requestContext": {"http": {"method": "GET", "path": path, "protocol": "HTTP/1.1",
                                    "sourceIp": "127.0.0.1"}, "stage": "$default"},
    }
    return api.handler(event, None)["statusCode"]

def loaded(names):
    return sorted(name for name in names if name in sys.modules)

watched = json.loads(sys.argv[1])
answers = {"health": get("/health")}
after_health = loaded(watched)
answers["users"] = get("/api/v1/users")
print(json.dumps({"answers": answers, "after_health": after_health,
                  "after_users": loaded(watched)}))
"""


@pytest.fixture(scope="module")
def cold_start(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One cold start in a fresh interpreter: statuses and the watched modules it imported."""
    data = tmp_path_factory.mktemp("lambda")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DRORCH_")}
    env.update(lambda_env(data))
    watched = json.dumps([*NOT_ON_COLD_START, *ROUTER_MODULES])
    done = subprocess.run(
        [sys.executable, "-c", PROBE, watched],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def lambda_env(data: Path) -> dict[str, str]:
    """The API function's settings (infra/drorch.yaml) with a SQLite store and no network."""
    return {
        "DRORCH_DATA_DIR": str(data),
        "DRORCH_DRIVER": "stepfunctions",
        "DRORCH_STATE_MACHINE_ARN": "arn:aws:states:us-east-1:123456789012:stateMachine:x",
        "DRORCH_RUNNER_ENABLED": "false",
        "DRORCH_SCHEDULER_ENABLED": "false",
        "DRORCH_METRICS_EMF": "true",
        "DRORCH_COGNITO_ISSUER": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x",
        "DRORCH_COGNITO_CLIENT_ID": "client",
        "DRORCH_ALLOWED_HOSTS": "api.test",
        "DRORCH_JWT_SECRET": "a-jwt-secret-long-enough-for-tests",
        "DRORCH_CURSOR_SECRET": "cursor-secret",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }


def test_the_first_request_is_answered(cold_start: dict[str, Any]) -> None:
    # Degraded (no DRS account registered), and a sign-in required: both real answers.
    assert cold_start["answers"] == {"health": 200, "users": 401}


def test_health_imports_no_router_channel_executor_engine_or_httpx(
    cold_start: dict[str, Any],
) -> None:
    assert cold_start["after_health"] == []


def test_a_request_imports_the_router_of_its_path_only(cold_start: dict[str, Any]) -> None:
    assert cold_start["after_users"] == ["drorch.api.users.router"]
