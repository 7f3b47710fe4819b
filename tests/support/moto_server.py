"""Run moto's server (a maintained AWS fake) on a free 127.0.0.1 port as a subprocess.

    with running_moto(tmp_dir) as moto:
        idp = moto.client("cognito-idp")
        idp.create_user_pool(PoolName="p")

A subprocess, not moto's in-process decorators, so the code under test reaches it over
HTTP exactly as it would reach AWS (e.g. PyJWKClient fetching a pool's JWKS).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import httpx
from botocore.config import Config

from tests.support.server import HOST, free_port, server_env, stop

REGION = "us-east-1"
START_TIMEOUT = 60.0
NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=5)
ATOMIC = Path(__file__).with_name("moto_atomic.py")


@dataclass(frozen=True)
class RunningMoto:
    """A started moto server: where it answers, its log and process."""

    url: str
    log_path: Path
    process: subprocess.Popen[bytes]

    def client(self, service: str, region: str = REGION) -> Any:
        """A boto3 client for `service` pointed at this server, with fake credentials."""
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region
        )
        return session.client(service, endpoint_url=self.url, config=NO_RETRY)

    def log(self) -> str:
        """Everything the server wrote so far."""
        return self.log_path.read_text(errors="replace")


@contextmanager
def running_moto(log_dir: Path) -> Iterator[RunningMoto]:
    """Start moto's server on 127.0.0.1, wait until it answers, then stop it."""
    log_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log_path = log_dir / f"moto-{port}.log"
    # moto.server with DynamoDB requests made atomic, as DynamoDB's are (moto_atomic.py).
    command = [sys.executable, str(ATOMIC), "-H", HOST, "-p", str(port)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=server_env())
    moto = RunningMoto(f"http://{HOST}:{port}", log_path, process)
    try:
        wait_ready(moto)
        yield moto
    finally:
        stop(process)


def wait_ready(moto: RunningMoto, timeout: float = START_TIMEOUT) -> None:
    """Poll moto's own API until it answers; fail with its log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if moto.process.poll() is not None:
            raise RuntimeError(f"moto server exited with {moto.process.returncode}:\n{moto.log()}")
        try:
            if httpx.get(f"{moto.url}/moto-api/data.json", timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"moto server did not answer within {timeout}s:\n{moto.log()}")
