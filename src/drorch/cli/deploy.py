"""`drorch deploy`: roll drorch out to AWS with one command, and look after what it made."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from drorch.cli import deploy_prune
from drorch.cli.deploy_inputs import (
    infra_dir,
    lambda_package,
    make_aws,
    make_target,
    overrides,
    refusals,
    stack_parameters,
)
from drorch.cli.deploy_options import (
    AdminEmailOption,
    AlarmEmailOption,
    CidrsOption,
    DryRunOption,
    EnvOption,
    LogLevelOption,
    MfaOption,
    OutputOption,
    PackageOption,
    PasswordStdinOption,
    ProfileOption,
    PythonOption,
    RegionOption,
    RetentionOption,
    SkipUiOption,
    WafOption,
    YesOption,
    on_target,
)
from drorch.cli.deploy_progress import Progress
from drorch.cli.output import (
    EXIT_REFUSED,
    EXIT_USAGE,
    JsonOption,
    console,
    details,
    fail,
    note,
    print_json,
    reports_errors,
)
from drorch.config import Settings

if TYPE_CHECKING:
    from drorch.deploy.context import Target

app = typer.Typer(
    help="Deploy drorch to AWS (CloudFormation, Lambda, Cognito, CloudFront); see docs/deploy.md.",
    invoke_without_command=True,
    no_args_is_help=False,
)


@app.callback()
@reports_errors
def deploy_command(
    ctx: typer.Context,
    env: EnvOption = None,
    region: RegionOption = None,
    profile: ProfileOption = None,
    dry_run: DryRunOption = False,
    yes: YesOption = False,
    package: PackageOption = None,
    admin_email: AdminEmailOption = None,
    alarm_email: AlarmEmailOption = None,
    allowed_cidrs: CidrsOption = None,
    log_retention_days: RetentionOption = None,
    enable_waf: WafOption = None,
    mfa: MfaOption = None,
    log_level: LogLevelOption = None,
    admin_password_stdin: PasswordStdinOption = False,
    skip_ui: SkipUiOption = False,
    output: OutputOption = None,
    as_json: JsonOption = False,
    python: PythonOption = None,
) -> None:
    """Create or update environment NAME: package, change set, rollout, UI, first admin."""
    if ctx.invoked_subcommand is not None:
        return
    if not any(ctx.params.values()):
        typer.echo(ctx.get_help())  # `drorch deploy` alone shows its help, as groups do
        raise typer.Exit()
    from drorch.deploy import service
    from drorch.deploy.context import Request

    with refusals():
        target = make_target(env, region, profile, ui=not skip_ui)
        password = sys.stdin.readline().strip() if admin_password_stdin else None
        request = Request(
            package=lambda_package(package, python),
            parameters=stack_parameters(
                admin_email,
                alarm_email,
                allowed_cidrs,
                log_retention_days,
                enable_waf,
                mfa,
                log_level,
            ),
            dry_run=dry_run,
            admin_password=password or None,
            overrides=overrides(output),
        )
        with Progress(yes=yes, as_json=as_json) as progress:
            result = service.deploy(target, request, progress)
    _report(result, as_json)
    if result["status"] == "declined":
        raise typer.Exit(EXIT_REFUSED)


def _report(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print_json(result)
        return
    outputs = result.get("outputs") or {}
    note(f"{result['stack']}: {result['status']}")
    if outputs:
        console().print(details(sorted(outputs.items()), title="Outputs"))


@app.command("status")
@reports_errors
@on_target()
def status_command(target: Target, as_json: JsonOption = False) -> None:
    """The stack's status, last change, drift, and the version each live alias runs."""
    from drorch.deploy import ops

    with refusals():
        result = ops.status(target)
    if as_json:
        print_json(result)
        return
    rows = [(k, v) for k, v in result.items() if k not in ("aliases", "old_versions")]
    for name, alias in result.get("aliases", {}).items():
        rows.append((f"live {name}", _alias_row(alias)))
    if "old_versions" in result:
        rows.append(("old Lambda versions", deploy_prune.old_row(result["old_versions"])))
    console().print(details(rows, title=result["stack"]))


def _alias_row(alias: dict[str, Any]) -> str:
    if alias["state"] == "in line":
        return f"version {alias['live']}"
    if alias["state"] == "missing":
        return f"no alias (the stack says version {alias['stack']})"
    return f"version {alias['live']}, the stack says {alias['stack']} (rolled back, or drifted)"


@app.command("outputs")
@reports_errors
@on_target()
def outputs_command(
    target: Target, output: OutputOption = None, as_json: JsonOption = False
) -> None:
    """The stack's outputs: API and UI URLs, user pool, tables, alarm topic."""
    from drorch.deploy.poststack import current_outputs

    with refusals():
        result = current_outputs(target, overrides(output))
    if as_json:
        print_json(result)
    else:
        console().print(details(sorted(result.items()), title="Outputs"))


@app.command("ui")
@reports_errors
@on_target(ui=True)
def ui_command(target: Target, output: OutputOption = None, as_json: JsonOption = False) -> None:
    """Publish the UI build and its runtime config, then invalidate CloudFront."""
    from drorch.deploy.poststack import current_outputs, publish_ui

    with refusals():
        outputs = current_outputs(target, overrides(output))
        result = publish_ui(target, outputs, Progress(yes=True, as_json=as_json))
    if as_json:
        print_json(result)


@app.command("admin")
@reports_errors
@on_target()
def admin_command(
    target: Target,
    output: OutputOption = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the temporary password from stdin.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Create the first admin user (the stack's AdminEmail) unless it exists."""
    from drorch.deploy.poststack import create_admin, current_outputs

    with refusals():
        outputs = current_outputs(target, overrides(output))
        password = sys.stdin.readline().strip() if password_stdin else None
        result = create_admin(
            target, outputs, password or None, Progress(yes=True, as_json=as_json)
        )
    if as_json:
        print_json({"admin": result})


@app.command("rollback")
@reports_errors
@on_target()
def rollback_command(
    target: Target, output: OutputOption = None, as_json: JsonOption = False
) -> None:
    """Point the live aliases at the previous versions (seconds) and republish the previous UI."""
    from drorch.deploy import ops

    with refusals(), Progress(yes=True, as_json=as_json) as progress:
        result = ops.rollback(target, progress, overrides=overrides(output))
    if as_json:
        print_json(result)


@app.command("destroy")
@reports_errors
@on_target()
def destroy_command(
    target: Target,
    delete_data: Annotated[
        bool, typer.Option("--delete-data", help="Delete the tables too (after a backup).")
    ] = False,
    yes: YesOption = False,
    output: OutputOption = None,
    as_json: JsonOption = False,
) -> None:
    """Delete the environment's stack; its tables are backed up and kept unless --delete-data."""
    from drorch.deploy import ops

    if not yes:
        if not sys.stdin.isatty():
            fail("no terminal to confirm on: pass --yes", EXIT_USAGE)
        typed = typer.prompt(f"Type the environment name ({target.env}) to destroy it", err=True)
        if typed != target.env:
            fail("the name typed does not match: nothing destroyed")
    with refusals(), Progress(yes=True, as_json=as_json) as progress:
        result = ops.destroy(target, progress, delete_data=delete_data, overrides=overrides(output))
    if as_json:
        print_json(result)
    else:
        kept = "deleted" if delete_data else "kept"
        note(f"{result['stack']}: deleted; tables {kept}: {', '.join(result['tables']) or '-'}")


@app.command("target-role")
@reports_errors
def target_role_command(
    hub_account: Annotated[str, typer.Option("--hub-account", help="The account drorch runs in.")],
    external_id: Annotated[
        str, typer.Option("--external-id", help="This account's external id (drorch accounts get).")
    ],
    role_name: Annotated[str, typer.Option("--role-name")] = "drorch-target",
    region: RegionOption = None,
    profile: ProfileOption = None,
    as_json: JsonOption = False,
) -> None:
    """Deploy the spoke role (infra/target-account.yaml) into the current credentials' account."""
    from drorch.deploy import ops

    with refusals(), Progress(yes=True, as_json=as_json) as progress:
        result = ops.target_role(
            make_aws(region, profile),
            progress,
            infra_dir=infra_dir(Settings()),
            hub_account=hub_account,
            external_id=external_id,
            role_name=role_name,
        )
    if as_json:
        print_json(result)
    else:
        note(f"{result['stack']}: {result['status']}")


@app.command("package")
@reports_errors
def package_command(
    package: Annotated[
        Path | None, typer.Option("--package", help="Check a zip built before instead.")
    ] = None,
    as_json: JsonOption = False,
    python: PythonOption = None,
) -> None:
    """Build the Lambda package (cached by content hash) and print where it is."""
    with refusals():
        built = lambda_package(package, python)
    result = {
        "path": str(built.path),
        "key": built.key,
        "sha256": built.digest,
        "cached": built.cached,
    }
    if as_json:
        print_json(result)
    else:
        console().print(details(result.items(), title="Lambda package"))


@app.command("validate")
@reports_errors
def validate_command(as_json: JsonOption = False) -> None:
    """Build the full template (tables, state machine) and check it is well formed."""
    from drorch.deploy import template

    with refusals():
        built = template.build(infra_dir(Settings()))
    result = {"resources": len(built["Resources"]), "bytes": len(template.render(built))}
    if as_json:
        print_json(result)
    else:
        note(f"template ok: {result['resources']} resources, {result['bytes']} bytes")


deploy_prune.register(app)


def register(root: typer.Typer) -> None:
    """Add `drorch deploy` to the root app."""
    root.add_typer(app, name="deploy")
