"""The DRS adapter: drorch's DrsClient/DrsGateway ports over an injected boto3 `drs` client."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from botocore.config import Config

from drorch.adapters.aws.drs_convert import to_job, to_log_item, to_recovery_instance, to_server
from drorch.adapters.aws.drs_errors import drs_errors
from drorch.adapters.aws.fast_parse import use_fast_parser
from drorch.adapters.aws.shared_loader import boto3_session
from drorch.domain.accounts import TargetAccount
from drorch.domain.inventory import SourceServer
from drorch.errors import DrsUnavailableError, SessionError
from drorch.ports.drs import DrsJob, JobLogItem, RecoveryInstance, Scope
from drorch.ports.sessions import SESSION_PURPOSE, AccountAccess, SessionProvider

SANDBOX_SECRET = "sandbox-secret"
MAX_CLIENTS = 512
JOB_ID_FILTER_MAX = 1000  # DescribeJobsRequestFiltersJobIDs max length in the model
SERVER_ID_FILTER_MAX = 200  # DescribeSourceServersRequestFiltersIDs max length in the model
MAX_JOBS_KEPT = 256  # per client: the last answer of each job read, to recognise it unchanged
# One attempt per call, always: drorch retries itself (honouring Retry-After), and a
# StartRecovery that botocore re-sent after a lost answer would be a second job with the
# same tags - a batch launched twice. The engine reconciles by tag before re-issuing.
SANDBOX_CONFIG = Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=5)
AWS_CONFIG = Config(retries={"total_max_attempts": 1, "mode": "standard"})


class BotoDrsClient:
    """DRS in one account and Region (implements `drorch.ports.drs.DrsClient`)."""

    def __init__(self, client: Any, scope: Scope) -> None:
        # Every engine pass parses DescribeJobs pages of up to 100 servers a job.
        self.client = use_fast_parser(client)
        self.scope = scope
        # Job id -> (the job as DRS last answered it, its DrsJob): see `_job`.
        self._jobs: dict[str, tuple[dict[str, Any], DrsJob]] = {}

    def _pages(self, operation: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Every item of a listing, page after page (nextToken followed here)."""
        # No botocore paginator: it deep-copies the parameters and builds a page iterator
        # on every call, which cost more than the engine's short DescribeJobs answers.
        call = getattr(self.client, operation)
        token: str | None = None
        with drs_errors():
            while True:
                page = call(**params, nextToken=token) if token else call(**params)
                yield from page.get("items", [])
                following = page.get("nextToken")
                if not following or following == token:
                    return  # the last page (a token given back as it was sent ends it too)
                token = following

    def describe_source_servers(
        self, *, source_server_ids: Sequence[str] | None = None
    ) -> list[SourceServer]:
        """Every source server of the scope, or only those named."""
        if source_server_ids is None:
            items = self._pages("describe_source_servers")
            return [to_server(item, self.scope) for item in items]
        ids = list(dict.fromkeys(source_server_ids))
        found: list[SourceServer] = []
        for start in range(0, len(ids), SERVER_ID_FILTER_MAX):
            filters = {"sourceServerIDs": ids[start : start + SERVER_ID_FILTER_MAX]}
            items = self._pages("describe_source_servers", filters=filters)
            found.extend(to_server(item, self.scope) for item in items)
        return found

    def start_recovery(
        self, *, source_server_ids: Sequence[str], is_drill: bool, tags: dict[str, str]
    ) -> DrsJob:
        """Start a drill or recovery job for the servers."""
        with drs_errors():
            response = self.client.start_recovery(
                sourceServers=[{"sourceServerID": sid} for sid in source_server_ids],
                isDrill=is_drill,
                tags=dict(tags),
            )
        return to_job(response["job"])

    def describe_jobs(
        self,
        *,
        job_ids: Sequence[str] | None = None,
        from_date: datetime | None = None,
        to_date: datetime | None = None,
    ) -> list[DrsJob]:
        """Jobs by id and/or creation time (all jobs when no filter is given)."""
        if job_ids is not None and not job_ids:
            return []
        dates = _date_filters(from_date, to_date)
        if job_ids is None:
            return [self._job(item) for item in self._pages("describe_jobs", filters=dates)]
        ids = list(dict.fromkeys(job_ids))
        found: list[DrsJob] = []
        for start in range(0, len(ids), JOB_ID_FILTER_MAX):
            filters = {**dates, "jobIDs": ids[start : start + JOB_ID_FILTER_MAX]}
            found.extend(self._job(item) for item in self._pages("describe_jobs", filters=filters))
        return found

    def _job(self, item: dict[str, Any]) -> DrsJob:
        """The DrsJob of a Job item; the same object as last time when DRS answered the same.

        About half the reads of a running job show it exactly as the read before: comparing
        the answer with the last one is cheaper than converting its servers again, and the
        engine recognises a job it has folded already by its (immutable) server list.
        """
        job_id = item.get("jobID", "")
        last = self._jobs.get(job_id)
        if last is not None and last[0] == item:
            return last[1]
        job = to_job(item)
        if len(self._jobs) >= MAX_JOBS_KEPT:
            self._jobs.clear()  # bounded: jobs that ended are not asked for again
        self._jobs[job_id] = (item, job)
        return job

    def describe_job_log_items(self, job_id: str) -> list[JobLogItem]:
        """The whole log of a job."""
        return [to_log_item(i) for i in self._pages("describe_job_log_items", jobID=job_id)]

    def describe_recovery_instances(
        self, *, source_server_ids: Sequence[str] | None = None
    ) -> list[RecoveryInstance]:
        """Recovery instances, optionally only those of some source servers."""
        if source_server_ids is not None and not source_server_ids:
            return []
        filters = {"sourceServerIDs": list(source_server_ids)} if source_server_ids else {}
        items = self._pages("describe_recovery_instances", filters=filters)
        return [to_recovery_instance(item) for item in items]

    def terminate_recovery_instances(self, recovery_instance_ids: Sequence[str]) -> DrsJob:
        """Start a TERMINATE job for the instances."""
        with drs_errors():
            response = self.client.terminate_recovery_instances(
                recoveryInstanceIDs=list(recovery_instance_ids)
            )
        return to_job(response["job"])

    def get_launch_configuration(self, source_server_id: str) -> dict[str, Any]:
        """GetLaunchConfiguration, without the response metadata."""
        with drs_errors():
            answer = self.client.get_launch_configuration(sourceServerID=source_server_id)
        return {k: v for k, v in answer.items() if k != "ResponseMetadata"}

    def update_launch_configuration(
        self, source_server_id: str, changes: dict[str, Any]
    ) -> dict[str, Any]:
        """UpdateLaunchConfiguration of the given members only."""
        with drs_errors():
            answer = self.client.update_launch_configuration(
                sourceServerID=source_server_id, **changes
            )
        return {k: v for k, v in answer.items() if k != "ResponseMetadata"}

    def ping(self) -> None:
        """One cheap call, raising a Drs* error when DRS does not answer properly."""
        with drs_errors():
            self.client.describe_jobs(maxResults=1)


def _date_filters(from_date: datetime | None, to_date: datetime | None) -> dict[str, str]:
    filters = {}
    if from_date is not None:
        filters["fromDate"] = _iso(from_date)
    if to_date is not None:
        filters["toDate"] = _iso(to_date)
    return filters


def _iso(moment: datetime) -> str:
    # The model's ISO8601DatetimeString pattern wants UTC with a trailing Z; naive means UTC.
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


@dataclass(frozen=True)
class SandboxAccount:
    """An account of a sandbox fleet: its access key and Regions."""

    account_id: str
    access_key: str
    regions: tuple[str, ...]


ClientFactory = Callable[[Scope], Any]


class BotoDrsGateway:
    """A DrsClient per account and Region (implements `drorch.ports.drs.DrsGateway`)."""

    def __init__(
        self,
        *,
        client_factory: ClientFactory,
        scopes: Sequence[Scope] | Callable[[], Sequence[Scope]],
        identity: Callable[[Scope], Hashable] | None = None,
    ) -> None:
        self._factory = client_factory
        self._scopes = scopes
        # What a scope's client signs as; a new identity (another role) gets a new client.
        self._identity = identity
        self._clients: dict[tuple[Scope, Hashable], BotoDrsClient] = {}
        self._lock = threading.Lock()

    def scopes(self) -> list[Scope]:
        """Every account and Region drorch manages."""
        return list(self._scopes() if callable(self._scopes) else self._scopes)

    def client(self, scope: Scope) -> BotoDrsClient:
        """The (cached) client of a scope."""
        key = (scope, self._identity(scope) if self._identity else None)
        with self._lock:
            found = self._clients.get(key)
            if found is None:
                if len(self._clients) >= MAX_CLIENTS:
                    self._clients.clear()  # per-execution session names: keep it bounded
                # boto3 sessions are not thread-safe to create from; the lock covers that.
                found = BotoDrsClient(self._factory(scope), scope)
                self._clients[key] = found
            return found

    def ping(self) -> None:
        """Check that DRS answers in the first scope."""
        scopes = self.scopes()
        if not scopes:
            raise DrsUnavailableError(
                "no DRS account and Region is configured: register a target account "
                "(drorch accounts add) or set DRORCH_HUB_ACCOUNT_ID"
            )
        self.client(scopes[0]).ping()

    @classmethod
    def for_sandbox(
        cls,
        endpoint_url: str,
        accounts: Sequence[SandboxAccount],
        *,
        config: Config | None = None,
        on_client: Callable[[Any], Any] | None = None,
    ) -> BotoDrsGateway:
        """A gateway to a DRS sandbox whose accounts (keys, Regions) are known."""
        keys = {a.account_id: a.access_key for a in accounts}
        scopes = [Scope(a.account_id, r) for a in accounts for r in a.regions]

        def factory(scope: Scope) -> Any:
            client = sandbox_client(endpoint_url, keys[scope.account_id], scope.region, config)
            return on_client(client) if on_client else client

        return cls(client_factory=factory, scopes=scopes)

    @classmethod
    def for_sandbox_endpoint(
        cls,
        endpoint_url: str,
        *,
        config: Config | None = None,
        on_client: Callable[[Any], Any] | None = None,
    ) -> BotoDrsGateway:
        """A gateway to a standalone sandbox; its accounts are asked for on first use."""
        directory = SandboxDirectory(endpoint_url)

        def factory(scope: Scope) -> Any:
            key = directory.access_key(scope.account_id)
            client = sandbox_client(endpoint_url, key, scope.region, config)
            return on_client(client) if on_client else client

        return cls(client_factory=factory, scopes=directory.scopes)

    @classmethod
    def for_accounts(
        cls,
        sessions: SessionProvider,
        *,
        accounts: Callable[[], Sequence[TargetAccount]],
        hub_scopes: Sequence[Scope] = (),
        endpoint_url: str | None = None,
        config: Config | None = None,
    ) -> BotoDrsGateway:
        """Real DRS (or any DRS-compatible endpoint) in every registered account and Region.

        Each client comes from the session provider: the account's assumed role, or the
        hub's own session for `hub_scopes`' accounts.
        """
        hub_ids = {scope.account_id for scope in hub_scopes}

        def factory(scope: Scope) -> Any:
            access = _access(scope, accounts(), hub_ids)
            session = sessions.session(access, purpose=SESSION_PURPOSE.get())
            return session.client(
                "drs",
                region_name=scope.region,
                endpoint_url=endpoint_url,
                config=config or AWS_CONFIG,
            )

        def scopes() -> list[Scope]:
            registered = [Scope(a.account_id, r) for a in accounts() for r in a.regions]
            return list(dict.fromkeys([*hub_scopes, *registered]))

        def identity(scope: Scope) -> Hashable:
            # A new role, or another execution's session name, gets a client of its own.
            return (_access(scope, accounts(), hub_ids), SESSION_PURPOSE.get())

        return cls(client_factory=factory, scopes=scopes, identity=identity)

    @classmethod
    def for_aws(
        cls,
        sessions: Any,
        scopes: Sequence[Scope],
        *,
        config: Config | None = None,
    ) -> BotoDrsGateway:
        """A gateway to real DRS: one boto3 session for all accounts, or account id -> session."""

        def factory(scope: Scope) -> Any:
            session = sessions if hasattr(sessions, "client") else sessions(scope.account_id)
            return session.client("drs", region_name=scope.region, config=config or AWS_CONFIG)

        return cls(client_factory=factory, scopes=scopes)


def _access(
    scope: Scope, accounts: Sequence[TargetAccount], hub_ids: set[str]
) -> AccountAccess | None:
    """The access of the scope's account: None for the hub's own, SessionError if unknown."""
    for account in accounts:
        if account.account_id == scope.account_id:
            return AccountAccess(account.account_id, account.role_arn, account.external_id)
    if scope.account_id in hub_ids:
        return None
    raise SessionError(
        f"account {scope.account_id} ({scope.region}) is not a registered target account",
        account_id=scope.account_id,
        step="lookup",
    )


def sandbox_client(
    endpoint_url: str, access_key: str, region: str, config: Config | None = None
) -> Any:
    """A boto3 `drs` client signing as a sandbox account."""
    session = boto3_session(
        aws_access_key_id=access_key,
        aws_secret_access_key=SANDBOX_SECRET,
        region_name=region,
    )
    return session.client("drs", endpoint_url=endpoint_url, config=config or SANDBOX_CONFIG)


class SandboxDirectory:
    """The accounts of a standalone sandbox, read once from its admin API."""

    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url.rstrip("/")
        self._accounts: list[SandboxAccount] | None = None
        self._lock = threading.Lock()

    def accounts(self) -> list[SandboxAccount]:
        """The sandbox's accounts (fetched on first use)."""
        with self._lock:
            if self._accounts is None:
                self._accounts = self._fetch()
            return self._accounts

    def _fetch(self) -> list[SandboxAccount]:
        import httpx  # here: a process without a sandbox endpoint never needs it

        url = f"{self.endpoint_url}/_sandbox/accounts"
        try:
            response = httpx.get(url, timeout=10)
            response.raise_for_status()
            rows = response.json()
            return [
                SandboxAccount(r["account_id"], r["access_key"], tuple(r["regions"])) for r in rows
            ]
        except (httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            raise DrsUnavailableError(f"cannot read sandbox accounts from {url}: {exc}") from exc

    def scopes(self) -> list[Scope]:
        """Every account and Region of the sandbox."""
        return [Scope(a.account_id, r) for a in self.accounts() for r in a.regions]

    def access_key(self, account_id: str) -> str:
        """The access key standing for an account."""
        for account in self.accounts():
            if account.account_id == account_id:
                return account.access_key
        raise DrsUnavailableError(f"the sandbox at {self.endpoint_url} has no account {account_id}")
