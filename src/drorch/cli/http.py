"""A small HTTP client for the drorch API, turning every failure into a CliError."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

import httpx
import pydantic
import typer

from drorch.cli.credentials import CredentialStore
from drorch.cli.output import EXIT_CONNECT, EXIT_REFUSED, EXIT_USAGE, CliError
from drorch.cli.session import AuthMode, auth_for
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
    return cli_settings().default_api_url.rstrip("/")


def cli_settings() -> Settings:
    """Settings from the environment; a bad value is a usage error naming the setting."""
    try:
        return Settings()
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise CliError(f"bad DRORCH_ setting {where}: {first['msg']}", EXIT_USAGE) from None


def credential_store() -> CredentialStore:
    """Where `drorch login` keeps its sessions (Settings.credentials_path)."""
    return CredentialStore(cli_settings().credentials_path)


def configured_token() -> str | None:
    """DRORCH_TOKEN, when set."""
    token = cli_settings().token
    return token.get_secret_value() if token else None


class ApiClient:
    """Talks JSON to one drorch API; raises ApiError (exit 1) or CliError (exit 3).

    It sends `token`, else DRORCH_TOKEN, else the stored `drorch login` session;
    `credentials` forces one source (AuthMode.NONE for the sign-in request itself).
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        transport: httpx.BaseTransport | None = None,
        token: str | None = None,
        credentials: AuthMode | None = None,
    ) -> None:
        self.base_url = api_url(base_url)
        self.auth, self.auth_mode = auth_for(
            self.base_url,
            token=token or configured_token(),
            store=credential_store(),
            only=credentials,
        )
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            transport=transport,
            auth=self.auth,
            headers={"Accept": "application/json, application/problem+json"},
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

    def post_form(self, path: str, form: Mapping[str, str]) -> Reply:
        """POST an HTML form (the OAuth2 password sign-in)."""
        return self.request("POST", path, form=form)

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
        form: Mapping[str, str] | None = None,
    ) -> Reply:
        """Send one request (a JSON body or a form); any non-2xx or transport failure raises."""
        headers = {"If-Match": etag_header(if_match)} if if_match is not None else {}
        if method != "GET" and form is None:
            # The server refuses a state-changing request without a JSON type, body or not;
            # the sign-in form is the one change sent form-encoded.
            headers["Content-Type"] = "application/json"
        extra: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        if form is not None:
            extra["data"] = form
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
            raise auth_hint(error_from(response), self.base_url, self.auth_mode)
        return Reply(response.status_code, _json(response), response.headers.get("ETag"))

    def download(self, path: str, *, params: Params | None = None) -> tuple[bytes, str]:
        """GET a file (a report, an export): its bytes and content type; errors raise."""
        try:
            response = self._http.get(path, params=_clean(params), headers={"Accept": "*/*"})
        except httpx.TransportError as exc:
            raise self._transport_error(exc) from None
        if response.status_code >= 400:
            raise auth_hint(error_from(response), self.base_url, self.auth_mode)
        return response.content, response.headers.get("content-type", "")

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
    problems = _field_problems(problem, detail)
    suffix = f": {'; '.join(problems)}" if problems else ""
    return ApiError(status, f"{detail}{suffix} (HTTP {status})", problem)


FORBIDDEN = "urn:drorch:problem:forbidden"


def auth_hint(error: ApiError, base_url: str, mode: AuthMode) -> ApiError:
    """A 401 or 403 reworded as one line that says what to do next; others as they are."""
    if error.status == 401:
        message = _unauthenticated(error, base_url, mode)
    elif error.status == 403 and error.problem.get("type") == FORBIDDEN:
        message = _forbidden(error.problem)
    else:
        return error
    return ApiError(error.status, message, error.problem)


def _unauthenticated(error: ApiError, base_url: str, mode: AuthMode) -> str:
    login = f"`drorch login --api-url {base_url}`"
    if mode is AuthMode.TOKEN:
        detail = str(error.problem.get("detail") or "refused")
        return (
            f"DRORCH_TOKEN was refused ({detail}): set a valid token, or unset it and run {login}"
        )
    if mode is AuthMode.SESSION:
        return f"session expired or revoked: run {login} or set DRORCH_TOKEN"
    return f"not signed in: run {login} or set DRORCH_TOKEN"


def _forbidden(problem: dict[str, Any]) -> str:
    permission, role = problem.get("permission"), problem.get("role")
    if permission and role:
        return f"forbidden: needs permission {permission}; your role is {role}"
    return f"forbidden: {problem.get('detail') or 'not allowed'}"


def _field_problems(problem: dict[str, Any], detail: str) -> list[str]:
    # Every field problem with its own message, unless the detail already says it.
    problems = []
    for error in problem.get("errors") or []:
        if not isinstance(error, dict):
            continue
        path, message = str(error.get("path") or ""), str(error.get("message") or "")
        text = f"{path}: {message}" if path else message
        if message in detail:
            text = f"at {path}" if path and path not in detail else ""
        if text and text not in problems:
            problems.append(text)
    return problems


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
