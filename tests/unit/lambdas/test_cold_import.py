"""A cold start of a handler module imports nothing heavy until the first invoke."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("fastapi", "boto3", "mangum", "pydantic", "drorch.bootstrap")


@pytest.mark.parametrize("module", ["api", "advance", "sleep", "wake", "schedule"])
def test_importing_a_handler_module_defers_the_framework(module: str) -> None:
    code = (
        f"import sys, drorch.lambdas.{module}; "
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == ""
