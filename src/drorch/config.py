"""Settings: the only place that reads environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from drorch.domain.identity import Role

DEFAULT_COGNITO_GROUPS = {f"drorch-{role.value.replace('_', '-')}": role for role in Role}


class Settings(BaseSettings):
    """Runtime configuration, read from `DRORCH_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="DRORCH_", extra="ignore")

    data_dir: Path = Field(default=Path("./data"), description="Where the SQLite file lives.")
    db_file: str = Field(default="drorch.db", description="SQLite file name inside data_dir.")
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    api_url: str | None = Field(default=None, description="Base URL the CLI talks to.")
    drs_endpoint_url: str | None = Field(default=None, description="DRS endpoint (sandbox).")
    aws_region: str = "us-east-1"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    max_body_bytes: int = 1024 * 1024
    api_threads: int = Field(default=8, ge=1, le=64, description="Threads for blocking handlers.")
    sqlite_cache_mb: int = Field(
        default=32, ge=1, le=4096, description="Page cache of each SQLite connection, in MiB."
    )
    sandbox: bool = Field(default=False, description="Mount the DRS sandbox inside serve.")
    sandbox_fleet: Path | None = None
    sandbox_time_scale: float = Field(default=1.0, gt=0)
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
    cors_origins: str = Field(
        default="", description="Comma-separated origins allowed cross-origin (none: same-origin)."
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

    @property
    def db_path(self) -> Path:
        """Full path of the SQLite database file."""
        return self.data_dir / self.db_file

    @property
    def cors_origin_list(self) -> list[str]:
        """The origins of DRORCH_CORS_ORIGINS, without blanks."""
        return [o.strip().rstrip("/") for o in self.cors_origins.split(",") if o.strip()]

    @property
    def default_api_url(self) -> str:
        """Where the CLI finds the API when --api-url is not given."""
        return self.api_url or f"http://{self.host}:{self.port}"
