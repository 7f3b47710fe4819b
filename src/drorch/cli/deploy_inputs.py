"""What `drorch deploy` commands start from: clients, the environment, its inputs and options."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from drorch.cli.output import EXIT_REFUSED, EXIT_USAGE, CliError, fail, note
from drorch.config import Settings
from drorch.errors import DrorchError

if TYPE_CHECKING:
    from drorch.deploy.aws import Aws
    from drorch.deploy.context import Target


@contextmanager
def refusals() -> Iterator[None]:
    """AWS refusals, failed rollouts and bad names as one stderr line."""
    try:
        yield
    except DrorchError as exc:
        raise CliError(exc.detail, EXIT_REFUSED) from exc
    except ValueError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc


def make_aws(region: str | None, profile: str | None) -> Aws:
    """One Region's clients, every one from the session provider (profile or default chain)."""
    from drorch.bootstrap import deploy_sessions
    from drorch.deploy.aws import Aws

    settings = Settings()
    chosen = region or settings.aws_region
    sessions = deploy_sessions(settings, profile=profile, region=chosen)
    return Aws(sessions, chosen, settings.aws_endpoint_url)


def make_target(
    env: str | None, region: str | None, profile: str | None, *, ui: bool = True
) -> Target:
    """The environment, its Region's clients and the inputs."""
    from drorch.deploy import naming
    from drorch.deploy.context import Target

    if not env:
        fail("--env NAME is required", EXIT_USAGE)
    settings = Settings()
    aws = make_aws(region, profile)
    return Target(naming.check_env(env), aws, infra_dir(settings), ui_dir(settings) if ui else None)


def source_root() -> Path:
    """The checkout drorch runs from (src/drorch/cli/deploy.py -> the root)."""
    return Path(__file__).resolve().parents[3]


def infra_dir(settings: Settings) -> Path:
    """The templates' directory."""
    return settings.deploy_infra_dir or source_root() / "infra"


def ui_dir(settings: Settings) -> Path:
    """The UI build's directory."""
    return settings.deploy_ui_dir or source_root() / "frontend" / "dist"


def cache_dir(settings: Settings) -> Path:
    """Where packages and wheels are cached."""
    return settings.deploy_cache_dir or Path.home() / ".cache" / "drorch"


def lambda_package(package: Path | None, python: Path | None = None) -> Any:
    """`--package FILE`, or drorch built from this checkout (cached by content hash)."""
    import drorch
    from drorch.deploy import bytecode
    from drorch.deploy import package as packaging

    if package is not None:
        return packaging.given(package)
    settings = Settings()
    sources = packaging.source_tree_sources(Path(drorch.__file__).resolve().parent)
    version = packaging.PYTHON_VERSION
    compiler = bytecode.resolve(python or settings.deploy_python, version)
    if compiler is None:
        note(
            f"warning: no Python {version} found (--python or DRORCH_DEPLOY_PYTHON): the "
            "Lambda package ships without bytecode, so every cold start compiles it"
        )
    return packaging.build(
        sources,
        cache_dir=cache_dir(settings),
        wheelhouse=settings.deploy_wheelhouse,
        compiler=compiler,
    )


def stack_parameters(
    admin_email: str | None,
    alarm_email: str | None,
    allowed_cidrs: str | None,
    log_retention_days: int | None,
    enable_waf: bool | None,
    mfa: str | None,
    log_level: str | None = None,
) -> dict[str, str]:
    """The template parameters given on the command line (the rest keep their values)."""
    given = {
        "AdminEmail": admin_email,
        "AlarmEmail": alarm_email,
        "AllowedCidrs": allowed_cidrs,
        "LogRetentionDays": None if log_retention_days is None else str(log_retention_days),
        "EnableWaf": None if enable_waf is None else str(enable_waf).lower(),
        "MfaConfiguration": mfa,
        "LogLevel": log_level,
    }
    return {key: value for key, value in given.items() if value is not None}


def overrides(pairs: list[str] | None) -> dict[str, str]:
    """`--output KEY=VALUE` pairs: values for outputs the stack does not report."""
    result = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            fail(f"--output {pair!r}: expected KEY=VALUE", EXIT_USAGE)
        result[key] = value
    return result
