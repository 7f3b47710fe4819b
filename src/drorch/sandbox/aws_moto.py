"""moto as the embedded AWS: a ThreadedMotoServer on 127.0.0.1 for the action types' services.

`drorch serve --sandbox` starts it in-process (settings: `sandbox_aws`), seeds it with the
demo's resources (aws_seed.py) and points the action executors' clients at it. moto tells
accounts apart by the `x-moto-account-id` header, which every action client sends for the
account its step runs in (the sandbox's keys mean nothing to moto).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)
ACCOUNT_HEADER = "x-moto-account-id"
# The services the AWS action types call; SSM Automation goes to the sandbox instead.
SERVICES = ("dynamodb", "route53", "lambda", "cloudfront", "apigateway", "ssm", "iam", "ec2")
SEEDED = ("dynamodb", "route53", "lambda", "cloudfront", "apigateway", "iam")  # by aws_seed.py


class EmbeddedMoto:
    """A moto server in this process (a Background: started and stopped with the container)."""

    def __init__(self, seed: Callable[[str], object] | None = None, host: str = "127.0.0.1"):
        self._seed = seed
        self._host = host
        self._server: Any = None
        self._lock = threading.Lock()
        self.url = ""
        self.seeded = threading.Event()  # set once the seed has run (or failed)
        self.seed_error: BaseException | None = None

    def start(self) -> None:
        """Start moto on a free port; seed it in the background (serve answers meanwhile)."""
        # Imported here: moto takes seconds to load and only the sandbox needs it.
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per moto request
        with self._lock:
            if self._server is not None:
                return
            self._server = ThreadedMotoServer(ip_address=self._host, port=0, verbose=False)
            self._server.start()
            host, port = self._server.get_host_and_port()
            self.url = f"http://{host}:{port}"
        threading.Thread(target=self._run_seed, name="moto-seed", daemon=True).start()

    def _run_seed(self) -> None:
        try:
            # moto's backends are global to the process: an earlier container's embedded moto
            # (tests build several) left its resources behind, which the seed would meet.
            _reset_seeded_services()
            if self._seed is not None:
                self._seed(self.url)
        except Exception as exc:  # the demo's resources are missing; the server still runs
            self.seed_error = exc
            log.exception("seeding the embedded moto failed")
        finally:
            self.seeded.set()

    def stop(self) -> None:
        """Stop the server (its state is in memory only)."""
        with self._lock:
            server, self._server = self._server, None
        if server is not None:
            server.stop()


def _reset_seeded_services() -> None:
    """Empty the moto backends the seed fills; never EC2, which holds the sandbox's instances."""
    from moto.backends import get_backend

    for service in SEEDED:
        backends: Any = get_backend(service)  # type: ignore[call-overload]
        # Per service: BackendDict.reset() is a classmethod that would empty all of them.
        for per_account in list(backends.values()):
            per_account.reset()
        backends.clear()


class LazyEndpoints(dict[str, str]):
    """Endpoint overrides that read moto's URL when first used (it is known once started)."""

    def __init__(self, moto: EmbeddedMoto, extra: dict[str, str]) -> None:
        super().__init__(extra)
        self._moto = moto

    def get(self, key: str, default: Any = None) -> Any:
        """The override of `key`: the extras first, then moto for its services."""
        if key in self.keys():
            return super().get(key)
        return self._moto.url or default if key in SERVICES else default


def tag_account(client: Any, account_id: str) -> Any:
    """Make every request of `client` reach moto as `account_id`."""

    def add_header(request: Any, **_: Any) -> None:
        request.headers[ACCOUNT_HEADER] = account_id

    client.meta.events.register("before-sign.*.*", add_header)
    return client


def tag_call_account(client: Any, call: Any) -> Any:
    """An executors' `on_client` hook: the client speaks to moto as the step's account."""
    return tag_account(client, call.account_id)
