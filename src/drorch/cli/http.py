"""A small HTTP client for the drorch API, turning every failure into a CliError."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
import pydantic
import typer

from drorch.cli.output import EXIT_CONNECT, EXIT_REFUSED, EXIT_USAGE, CliError
from drorch.config import Settings

DEFAULT_TIMEOUT = 30.0

ApiUrlOption = Annotated[
    str | None,
    typer.Option(
        "--api-url",
        metavar="URL",
        help="Base URL of the drorch API (default: DRORCH_API_URL, else the local server).",
    ),
]

Params = Mapping[str, Any]


@dataclass(frozen=True)
class Reply:
    """A successful answer: status, decoded JSON body (None when empty) and ETag."""

    status: int
    data: Any
    etag: str | None = None


class ApiError(CliError):
    """The API answered with an error status; `problem` is its problem+json body."""

    def __init__(self, status: int, message: str, problem: dict[str, Any]) -> None:
        super().__init__(message, EXIT_REFUSED)
        self.status = status
        self.problem = problem


def api_url(option: str | None) -> str:
    """The API base URL: the option, else Settings (DRORCH_API_URL or host and port)."""
    if option:
        return option.rstrip("/")
    try:
        return Settings().default_api_url.rstrip("/")
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise CliError(f"bad DRORCH_ setting {where}: {first['msg']}", EXIT_USAGE) from None


def bearer_header(token: str | None = None) -> dict[str, str]:
    """Authorization for the API: the given token, else DRORCH_TOKEN, else nothing."""
    if token is None:
        configured = Settings().token
        token = configured.get_secret_value() if configured else None
    return {"Authorization": f"Bearer {token}"} if token else {}


class ApiClient:
    """Talks JSON to one drorch API; raises ApiError (exit 1) or CliError (exit 3)."""

    def __init__(
        self,
        base_url: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        token: str | None = None,
    ) -> None:
        self.base_url = api_url(base_url)
        self.auth = bearer_header(token)
        headers = {"Accept": "application/json, application/problem+json", **self.auth}
        self._http = httpx.Client(
            base_url=self.base_url, timeout=timeout, transport=transport, headers=headers
        )

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the connection pool."""
        self._http.close()

    def get(self, path: str, *, params: Params | None = None) -> Reply:
        """GET a resource or a list page."""
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Any = None, *, timeout: float | None = None) -> Reply:
        """POST a JSON body."""
        return self.request("POST", path, body=body, timeout=timeout)

    def put(self, path: str, body: Any, *, if_match: str | int | None = None) -> Reply:
        """PUT a whole resource, guarded by If-Match when given."""
        return self.request("PUT", path, body=body, if_match=if_match)

    def delete(self, path: str, *, if_match: str | int | None = None) -> Reply:
        """DELETE a resource, guarded by If-Match when given."""
        return self.request("DELETE", path, if_match=if_match)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        body: Any = None,
        if_match: str | int | None = None,
        timeout: float | None = None,
    ) -> Reply:
        """Send one request; any non-2xx answer or transport failure raises."""
        headers = {"If-Match": etag_header(if_match)} if if_match is not None else {}
        extra: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        try:
            response = self._http.request(
                method,
                path,
                params=_clean(params),
                json=body,
                headers=headers,
                **extra,
            )
        except httpx.TransportError as exc:
            raise self._transport_error(exc) from None
        if response.status_code >= 400:
            raise error_from(response)
        return Reply(response.status_code, _json(response), response.headers.get("ETag"))

    def pages(self, path: str, *, params: Params | None = None) -> Iterator[dict[str, Any]]:
        """Every page of a list, following `next_cursor` until the last one."""
        query = dict(params or {})
        while True:
            page = self.get(path, params=query).data
            yield page
            cursor = page.get("next_cursor")
            if not cursor:
                return
            query["cursor"] = cursor

    def list_all(self, path: str, *, params: Params | None = None) -> list[dict[str, Any]]:
        """The items of every page of a list."""
        return [item for page in self.pages(path, params=params) for item in page["items"]]

    def _transport_error(self, exc: httpx.TransportError) -> CliError:
        if isinstance(exc, httpx.ConnectError):
            return CliError(
                f"cannot connect to the drorch API at {self.base_url}: start it with "
                "`drorch serve` or pass --api-url",
                EXIT_CONNECT,
            )
        if isinstance(exc, httpx.TimeoutException):
            return CliError(f"the drorch API at {self.base_url} did not answer in time", 3)
        return CliError(f"talking to the drorch API at {self.base_url} failed: {exc}", 3)


def etag_header(value: str | int) -> str:
    """An If-Match value: versions become `"3"`, ETags pass through as given."""
    if isinstance(value, int):
        return f'"{value}"'
    text = value.strip()
    return f'"{text}"' if text.isdigit() else text


def error_from(response: httpx.Response) -> ApiError:
    """An ApiError whose one-line message comes from the problem+json body."""
    status = response.status_code
    problem = _json_or_none(response)
    if not isinstance(problem, dict):
        snippet = response.text.strip()[:200] or response.reason_phrase
        return ApiError(status, f"HTTP {status} from {response.request.url}: {snippet}", {})
    detail = str(problem.get("detail") or problem.get("title") or f"HTTP {status}")
    fields = _field_paths(problem, detail)
    suffix = f" (HTTP {status}" + (f"; fields: {', '.join(fields)}" if fields else "") + ")"
    return ApiError(status, detail + suffix, problem)


def _field_paths(problem: dict[str, Any], detail: str) -> list[str]:
    # Name the offending fields unless the detail already does.
    paths = []
    for error in problem.get("errors") or []:
        path = error.get("path") if isinstance(error, dict) else None
        if path and path not in detail and path not in paths:
            paths.append(str(path))
    return paths[:5]


def _json(response: httpx.Response) -> Any:
    if not response.content:
        return None
    data = _json_or_none(response)
    if data is None:
        raise CliError(f"the API at {response.request.url} answered with something not JSON")
    return data


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _clean(params: Params | None) -> dict[str, Any] | None:
    # Drop unset filters so the API applies its own defaults.
    if params is None:
        return None
    return {k: v for k, v in params.items() if v is not None and v != []}
