"""Bytecode for the Lambda package: every module compiled by the runtime's Python, ahead of time.

/var/task is read-only, so a package without .pyc files is compiled at every cold start. The
package is compiled with `compileall --invalidation-mode unchecked-hash`: such a .pyc holds the
source's hash instead of its mtime (the zip's times are fixed) and is used as it is, so the
same sources give the same bytes. Only the runtime's own version helps: the magic number of
another version makes Lambda ignore every .pyc, which is why a mismatch is an error.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from drorch.errors import DeployError

CODE_ROOT = "/var/task"  # where Lambda unpacks the zip: the path tracebacks name
# Where a Python 3.12 is usually found when none is on PATH (pyenv, distributions, macOS).
WELL_KNOWN = (
    "~/.pyenv/versions/{version}*/bin/python{version}",
    "/usr/local/bin/python{version}",
    "/usr/bin/python{version}",
    "/opt/homebrew/bin/python{version}",
)
_PROBE = (
    "import sys, importlib.util; "
    "print('%d.%d' % sys.version_info[:2]); print(importlib.util.MAGIC_NUMBER.hex())"
)


@dataclass(frozen=True)
class Compiler:
    """A Python interpreter that compiles the package: its path, version and .pyc magic."""

    python: Path
    version: str  # "3.12"
    magic: str  # importlib.util.MAGIC_NUMBER in hex: the first bytes of every .pyc it writes

    @property
    def tag(self) -> str:
        """What the bytecode in a package depends on, for its content hash."""
        return f"cpython-{self.version}:{self.magic}:unchecked-hash"


def probe(python: Path) -> Compiler | None:
    """The interpreter at `python` with its version and magic, or None when it does not run."""
    try:
        result = subprocess.run(
            [str(python), "-I", "-c", _PROBE], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = result.stdout.split()
    if result.returncode != 0 or len(lines) != 2:
        return None  # e.g. a pyenv shim of a version that is not selected
    return Compiler(python, lines[0], lines[1])


def candidates(version: str) -> Iterable[Path]:
    """Where a Python `version` may be: PATH first, then the well-known places."""
    on_path = shutil.which(f"python{version}")
    if on_path:
        yield Path(on_path)
    for pattern in WELL_KNOWN:
        expanded = Path(pattern.format(version=version)).expanduser()
        yield from sorted(Path(expanded.anchor).glob(str(expanded.relative_to(expanded.anchor))))


def resolve(configured: Path | None, version: str) -> Compiler | None:
    """The compiler for the runtime's `version`: the configured one (checked), else a found one."""
    if configured is not None:
        compiler = probe(configured)
        if compiler is None:
            raise DeployError(
                f"deploy Python {configured} does not run (--python, DRORCH_DEPLOY_PYTHON)"
            )
        if compiler.version != version:
            raise DeployError(
                f"deploy Python {configured} is Python {compiler.version}, the Lambda runtime is "
                f"python{version}: its bytecode would be ignored there; give a Python {version}"
            )
        return compiler
    for path in candidates(version):
        compiler = probe(path)
        if compiler is not None and compiler.version == version:
            return compiler
    return None


def compile_tree(compiler: Compiler, root: Path) -> None:
    """Compile every .py under `root` into its __pycache__, as the package ships them."""
    # A fixed hash seed: set constants (frozensets) are written in hash order.
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    env.pop("PYTHONPYCACHEPREFIX", None)  # the .pyc files must land beside their modules
    command = [
        str(compiler.python),
        "-I",
        "-m",
        "compileall",
        "-q",
        "-j",
        "0",
        "--invalidation-mode",
        "unchecked-hash",
        "-d",
        CODE_ROOT,
        str(root),
    ]
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        output = (result.stdout + result.stderr).strip().splitlines() or ["no output"]
        raise DeployError(f"compiling the Lambda package with {compiler.python}: {output[-1]}")
