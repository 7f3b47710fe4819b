"""Settings: the only place that reads environment variables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from drorch.domain.identity import Role

# Lists read from the environment as comma-separated names (or a JSON array).
NameList = Annotated[list[str], NoDecode]
DEFAULT_COGNITO_GROUPS = {f"drorch-{role.value.replace('_', '-')}": role for role in Role}


class Settings(BaseSettings):
    """Runtime configuration, read from `DRORCH_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="DRORCH_", extra="ignore", populate_by_name=True)

    data_dir: Path = Field(default=Path("./data"), description="Where the SQLite file lives.")
    db_file: str = Field(default="drorch.db", description="SQLite file name inside data_dir.")
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    api_url: str | None = Field(default=None, description="Base URL the CLI talks to.")
    drs_endpoint_url: str | None = Field(default=None, description="DRS endpoint (sandbox).")
    aws_region: str = "us-east-1"
    hub_account_id: str | None = Field(
        default=None,
        pattern=r"^[0-9]{12}$",
        description="The hub's own account: its groups need no registered role.",
    )
    drs_enabled: bool = Field(
        default=True, description="Off: no DRS at all (plans and groups only, no runs)."
    )
    aws_endpoint_url_drs: str | None = Field(
        default=None,
        validation_alias="AWS_ENDPOINT_URL_DRS",
        description="Any DRS-compatible endpoint for real-DRS clients (AWS_ENDPOINT_URL_DRS).",
    )
    aws_endpoint_url_sts: str | None = Field(
        default=None,
        validation_alias="AWS_ENDPOINT_URL_STS",
        description="STS endpoint the session provider uses (AWS_ENDPOINT_URL_STS).",
    )
    ec2_endpoint_url: str | None = Field(
        default=None,
        description="EC2 of a standalone sandbox (default: the DRS endpoint, which serves it too).",
    )
    aws_endpoint_url_ec2: str | None = Field(
        default=None,
        validation_alias="AWS_ENDPOINT_URL_EC2",
        description="Any EC2-compatible endpoint for real-AWS clients (AWS_ENDPOINT_URL_EC2).",
    )
    session_seconds: int = Field(
        default=3600, ge=900, le=43200, description="Life of each assumed-role session."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    max_body_bytes: int = 1024 * 1024
    api_threads: int = Field(default=8, ge=1, le=64, description="Threads for blocking handlers.")
    sqlite_cache_mb: int = Field(
        default=32, ge=1, le=4096, description="Page cache of each SQLite connection, in MiB."
    )
    sandbox: bool = Field(default=False, description="Mount the DRS sandbox inside serve.")
    sandbox_fleet: Path | None = None
    sandbox_hub: bool = Field(
        default=True,
        description="The embedded sandbox is reached hub -> STS AssumeRole -> spoke (off: "
        "each fleet account signs with its own static sandbox key).",
    )
    sandbox_time_scale: float = Field(default=1.0, gt=0)
    sandbox_aws: bool = Field(
        default=True,
        description="With the sandbox: run moto in-process (seeded with the demo's tables, "
        "zone, functions, distribution and API) for the AWS action types.",
    )
    sandbox_state_file: Path | None = None
    runner_enabled: bool = True
    engine_lease_seconds: float = Field(
        default=15.0, ge=2, le=600, description="How long a runner's claim on an execution lasts."
    )
    engine_launch_grace_seconds: float = Field(
        default=30.0,
        ge=5,
        le=3600,
        description="How long an unanswered launch may stay invisible in DRS before it is lost.",
    )
    engine_step_poll_seconds: float = Field(
        default=5.0,
        ge=0.05,
        le=300,
        description="Between polls of a running action step whose executor gives no hint.",
    )
    preflight_retry_seconds: float = Field(
        default=10.0,
        ge=0,
        le=120,
        description="How long a start's preflight waits out DRS throttling before refusing.",
    )
    frontend_dir: Path | None = Field(default=None, description="Built UI to serve at /.")
    sandbox_clock: Literal["scaled", "virtual"] = Field(
        default="scaled", description="Sandbox time: real time x time scale, or moved by hand."
    )

    jwt_secret: SecretStr | None = Field(
        default=None, description="Key of local access tokens; else <data_dir>/jwt.key."
    )
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60)
    refresh_token_hours: int = Field(default=12, ge=1, le=24 * 30)
    login_max_failures: int = Field(default=5, ge=1, le=1000)
    login_lock_minutes: int = Field(default=15, ge=1, le=24 * 60)
    token: SecretStr | None = Field(
        default=None, description="Bearer token the CLI sends (DRORCH_TOKEN)."
    )
    cognito_issuer: str | None = Field(default=None, description="Cognito user pool issuer.")
    cognito_jwks_url: str | None = Field(
        default=None, description="JWKS of the pool; defaults to the issuer's well-known URL."
    )
    cognito_client_id: str | None = Field(default=None, description="App client id (audience).")
    cognito_group_roles: dict[str, Role] = Field(
        default_factory=lambda: dict(DEFAULT_COGNITO_GROUPS),
        description="Cognito group -> drorch role (JSON).",
    )
    config_dir: Path | None = Field(
        default=None, description="Where `drorch login` keeps tokens (default: XDG dir)."
    )
    xdg_config_home: Path | None = Field(
        default=None,
        validation_alias="XDG_CONFIG_HOME",
        description="The user's config base dir (XDG), when config_dir is not set.",
    )

    allowed_hosts: NameList = Field(
        default_factory=list,
        description="Host names the API answers for; empty = the bind address and localhost.",
    )
    cors_origins: NameList = Field(
        default_factory=list, description="Other origins allowed to call the API (CORS)."
    )
    max_request_line_bytes: int = Field(
        default=8 * 1024, ge=256, le=1024 * 1024, description="Longest request line accepted."
    )
    max_header_bytes: int = Field(
        default=32 * 1024, ge=1024, le=1024 * 1024, description="Most header bytes accepted."
    )
    header_timeout_seconds: float = Field(
        default=10.0, gt=0, le=300, description="Time a client has to send a request's headers."
    )
    stream_max_total: int = Field(
        default=200, ge=1, le=100_000, description="Live event streams open at once, in all."
    )
    stream_max_per_client: int = Field(
        default=20, ge=1, le=100_000, description="Live event streams one client address holds."
    )
    stream_idle_seconds: float = Field(
        default=600.0, gt=0, le=86_400, description="A stream with nothing new this long ends."
    )
    stream_max_seconds: float = Field(
        default=3600.0, gt=0, le=7 * 86_400, description="Longest life of one stream."
    )
    stream_keepalive_seconds: float = Field(
        default=15.0, gt=0, le=3600, description="Quiet time before a keep-alive comment."
    )
    doctor_rto_factor: float = Field(
        default=1.5, gt=0, le=100, description="Doctor: a run over its plan's RTO times this fails."
    )
    doctor_stall_minutes: float = Field(
        default=30.0, gt=0, le=10_080, description="Doctor: a run with no event this long fails."
    )
    doctor_lease_grace_minutes: float = Field(
        default=10.0, gt=0, le=10_080, description="Doctor: a lease expired this long is dead."
    )
    doctor_cleanup_grace_minutes: float = Field(
        default=60.0, ge=0, le=10_080, description="Doctor: an ended drill uncleaned this long."
    )
    doctor_lag_seconds: float = Field(
        default=300.0, gt=0, le=604_800, description="Doctor: replication lag that warns."
    )
    doctor_quota_warn_ratio: float = Field(
        default=0.8, gt=0, le=1, description="Doctor: quota use (share of the limit) that warns."
    )
    doctor_store_warn_mb: float = Field(
        default=2048.0, gt=0, description="Doctor: a database larger than this warns."
    )
    # The store adapter (docs/dynamodb.md): SQLite in data_dir, or one DynamoDB table.
    store: Literal["sqlite", "dynamodb"] = Field(
        default="sqlite", description="Store adapter: sqlite (embedded) or dynamodb (AWS)."
    )
    dynamodb_table_prefix: str = Field(
        default="drorch",
        pattern=r"^[A-Za-z0-9_.-]{1,200}$",
        description="Prefix of the DynamoDB table names (<prefix>-store).",
    )
    dynamodb_endpoint_url: str | None = Field(
        default=None, description="DynamoDB endpoint (e.g. moto server for local trials)."
    )
    cursor_secret: SecretStr | None = Field(
        default=None, description="Key signing list cursors; else <data_dir>/cursor.key."
    )
    # Notifications (docs/operations.md): links, SNS endpoint, the dispatcher's pace.
    public_url: str | None = Field(
        default=None, description="Base URL notification links point to; else http://host:port."
    )
    sns_endpoint_url: str | None = Field(default=None, description="SNS endpoint (e.g. moto).")
    notify_enabled: bool = Field(
        default=True, description="Run the notification dispatcher in serve and worker."
    )
    notify_poll_seconds: float = Field(
        default=1.0, gt=0, le=300, description="Pause between two dispatcher passes."
    )
    notify_timeout_seconds: float = Field(
        default=10.0, gt=0, le=120, description="Longest wait for one channel to take a message."
    )
    notify_max_attempts: int = Field(
        default=6, ge=1, le=50, description="Attempts per notification before giving up."
    )
    notify_retry_base_seconds: float = Field(
        default=10.0, gt=0, le=3600, description="Wait after the first failed attempt (doubles)."
    )
    notify_retry_max_seconds: float = Field(
        default=900.0, gt=0, le=86_400, description="Longest wait between two attempts."
    )
    notify_stuck_check_seconds: float = Field(
        default=60.0, gt=0, le=86_400, description="How often stuck executions are looked for."
    )
    readiness_lag_seconds: float = Field(
        default=900.0, gt=0, le=604_800, description="Readiness: replication lag that fails."
    )
    scheduler_enabled: bool = Field(
        default=True, description="Run due schedules in serve and worker processes."
    )
    scheduler_poll_seconds: float = Field(
        default=15.0, ge=0.1, le=3600, description="Longest wait before looking for due schedules."
    )
    scheduler_late_seconds: float = Field(
        default=120.0, ge=1, le=86_400, description="A run starting later than this is late."
    )
    metrics_enabled: bool = Field(default=True, description="Serve Prometheus /metrics.")
    metrics_emf: bool = Field(
        default=False,
        description="Also write the metrics as CloudWatch embedded-metric-format log lines "
        "(on AWS Lambda, where nothing scrapes /metrics).",
    )
    metrics_namespace: str = Field(
        default="drorch", min_length=1, max_length=255, description="CloudWatch namespace (EMF)."
    )
    metrics_environment: str | None = Field(
        default=None,
        max_length=255,
        description="The EMF metrics' Environment dimension (the deployment's name).",
    )
    access_log: bool = Field(
        default=False, description="Log one line per API request (method, route, status, ms)."
    )
    auth_cache_seconds: float = Field(
        default=30.0,
        ge=0,
        le=300,
        description="Longest a verified token's principal is reused while no identity change is "
        "recorded (0: check every request in full).",
    )
    # The engine driver (docs/engine.md): the local runner, or a Step Functions loop on AWS.
    driver: Literal["local", "stepfunctions"] = Field(
        default="local", description="What calls the engine: local runner or Step Functions."
    )
    state_machine_arn: str | None = Field(
        default=None, description="The Step Functions driver's state machine."
    )
    stepfunctions_endpoint_url: str | None = Field(
        default=None, description="Step Functions endpoint (e.g. moto)."
    )
    driver_max_wait_seconds: int = Field(
        default=300,
        ge=1,
        le=86_400,
        description="Longest Sleep between two advances on Step Functions (DRS events are "
        "best effort: this is the safety poll).",
    )
    driver_max_loops: int = Field(
        default=500,
        ge=1,
        le=1_000,
        description="Advance loops of one Step Functions execution before it continues as a "
        "new one (about 20 history events a loop; the limit is 25,000).",
    )
    stream_snapshot: bool = Field(
        default=False,
        description="Answer an event stream with one snapshot and close it, for hosts that "
        "buffer responses (Lambda); clients reconnect, which makes it polling.",
    )

    # `drorch deploy` (docs/deploy.md): where its AWS calls go and where it finds its inputs.
    aws_endpoint_url: str | None = Field(
        default=None,
        description="Endpoint of every AWS service `drorch deploy` calls (e.g. moto); else AWS.",
    )
    deploy_cache_dir: Path | None = Field(
        default=None, description="Lambda packages and wheels cache (default: ~/.cache/drorch)."
    )
    deploy_wheelhouse: Path | None = Field(
        default=None,
        description="Lambda-platform wheels already downloaded (offline builds); else pip fetches.",
    )
    deploy_infra_dir: Path | None = Field(
        default=None, description="The templates (default: infra/ of the source tree)."
    )
    deploy_ui_dir: Path | None = Field(
        default=None, description="The UI build to publish (default: frontend/dist)."
    )
    deploy_python: Path | None = Field(
        default=None,
        description="Python 3.12 that compiles the Lambda package (default: found on PATH/pyenv).",
    )
    # Shared keys on AWS (docs/deploy.md "Shared keys"): one secret every API instance reads.
    keys_secret: str | None = Field(
        default=None,
        description="Secrets Manager secret (name or ARN) holding the cursor and token keys.",
    )
    secretsmanager_endpoint_url: str | None = Field(
        default=None, description="Secrets Manager endpoint (e.g. moto for local trials)."
    )
    memory_trim_seconds: float = Field(
        default=1.0,
        ge=0,
        description="How often serve and worker hand freed heap memory back to the system "
        "(glibc malloc_trim; 0 turns it off).",
    )

    @field_validator("allowed_hosts", "cors_origins", mode="before")
    @classmethod
    def _names(cls, value: Any) -> Any:
        """Split `a,b` (or parse a JSON array) into a list of stripped, non-empty names."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
        return value

    @property
    def hosts(self) -> list[str]:
        """The host names the API answers for."""
        return self.allowed_hosts or [self.host, "localhost", "127.0.0.1", "::1"]

    @property
    def cursor_key_path(self) -> Path:
        """Where the list-cursor signing key is kept when no secret is configured."""
        return self.data_dir / "cursor.key"

    @property
    def db_path(self) -> Path:
        """Full path of the SQLite database file."""
        return self.data_dir / self.db_file

    @field_validator("xdg_config_home", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """An empty XDG_CONFIG_HOME means the default, as the XDG spec says."""
        return None if value == "" else value

    @property
    def credentials_path(self) -> Path:
        """The file `drorch login` writes: config_dir, else $XDG_CONFIG_HOME/drorch or ~/.config."""
        base = self.config_dir or (self.xdg_config_home or Path.home() / ".config") / "drorch"
        return base / "credentials.json"

    @property
    def link_base_url(self) -> str:
        """Where notification links point: the public URL, else this server's own address."""
        return self.public_url or self.default_api_url

    @property
    def default_api_url(self) -> str:
        """Where the CLI finds the API when --api-url is not given."""
        return self.api_url or f"http://{self.host}:{self.port}"
