"""`on_target`: a deploy subcommand gets --env/--region/--profile and the target they name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from typer.testing import CliRunner

from drorch.cli.deploy_options import on_target
from drorch.cli.output import reports_errors

if TYPE_CHECKING:
    from drorch.deploy.context import Target

app = typer.Typer(add_completion=False)


@app.command()
@reports_errors
@on_target(ui=True)
def where(
    target: Target, loud: Annotated[bool, typer.Option("--loud", help="Shout.")] = False
) -> None:
    """Print what the target names."""
    print(target.env, target.aws.region, target.ui_dir is not None, loud)


def test_the_options_come_first_and_the_command_gets_the_target() -> None:
    runner = CliRunner()
    env = {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_PROFILE": None}

    done = runner.invoke(app, ["--env", "dev", "--region", "eu-west-1", "--loud"], env=env)
    helped = runner.invoke(app, ["--help"])

    assert done.exit_code == 0, done.output
    assert done.stdout == "dev eu-west-1 True True\n"
    options = [w for w in helped.stdout.split() if w.startswith("--")]
    assert options == ["--env", "--region", "--profile", "--loud", "--help"]


def test_a_missing_or_bad_env_is_one_usage_line() -> None:
    runner = CliRunner()

    missing = runner.invoke(app, [])
    bad = runner.invoke(app, ["--env", "Prod_1"])

    assert (missing.exit_code, missing.stderr) == (2, "error: --env NAME is required\n")
    assert bad.exit_code == 2 and bad.stderr.startswith("error: environment name 'Prod_1'")
