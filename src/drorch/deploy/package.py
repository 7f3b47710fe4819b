"""The Lambda package: drorch plus its dependencies as Lambda-platform wheels, in one zip.

The zip is reproducible (sorted entries, fixed timestamps and modes), so the same sources and
pins give the same bytes and the same S3 key; it is cached under the content hash of the
constraints, the dependency list, every source file and the bytecode it holds (compiled by the
runtime's Python, see bytecode.py), so an unchanged tree is not rebuilt.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from drorch.deploy.bytecode import Compiler, compile_tree
from drorch.errors import DeployError

# Lambda's platform, chosen once: the template's functions are x86_64 on python3.12, whose
# Amazon Linux 2023 has glibc 2.34, so any manylinux wheel up to 2.34 runs there (pip matches
# platform tags exactly, hence the list: newer wheels, e.g. argon2's, are 2.26/2.28 only).
PLATFORMS = (
    "manylinux2014_x86_64",
    "manylinux_2_26_x86_64",
    "manylinux_2_28_x86_64",
    "manylinux_2_34_x86_64",
)
PYTHON_VERSION = "3.12"
IMPLEMENTATION = "cp"
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say: no build time leaks in
FILE_MODE = 0o644 << 16
SKIPPED_PARTS = {"__pycache__"}
SKIPPED_SUFFIXES = {".pyc", ".pyo"}
NO_BYTECODE = "none"


@dataclass(frozen=True)
class Sources:
    """What the package is built from: the drorch package, the pins and the dependency list."""

    package_dir: Path  # the `drorch` directory
    constraints: Path
    requirements: tuple[str, ...]


@dataclass(frozen=True)
class Package:
    """A built package: its file, content hash, whether the cache had it, and its bytecode."""

    path: Path
    digest: str
    cached: bool
    bytecode: str | None = None  # the compiler's tag, None when it ships sources only

    @property
    def key(self) -> str:
        """The S3 key it is uploaded under (its hash: a new key for every change)."""
        return f"lambda/drorch-{self.digest[:16]}.zip"


def source_tree_sources(package_dir: Path) -> Sources:
    """The sources of a checkout: its pyproject's dependencies pinned by constraints.txt."""
    root = package_dir.parent.parent
    pyproject, constraints = root / "pyproject.toml", root / "constraints.txt"
    if not pyproject.is_file() or not constraints.is_file():
        raise DeployError(
            f"no pyproject.toml and constraints.txt beside {package_dir}: run drorch deploy "
            "from a source checkout, or pass --package FILE"
        )
    project = tomllib.loads(pyproject.read_text())["project"]
    return Sources(package_dir, constraints, tuple(project["dependencies"]))


def source_files(package_dir: Path) -> list[Path]:
    """Every file of the package to ship, sorted (caches and bytecode left out)."""
    return sorted(
        path
        for path in package_dir.rglob("*")
        if path.is_file()
        and not SKIPPED_PARTS.intersection(path.parts)
        and path.suffix not in SKIPPED_SUFFIXES
    )


def dependency_digest(sources: Sources) -> str:
    """Hash of what decides the wheels: the pins, the dependency list and the platform."""
    digest = hashlib.sha256()
    digest.update(sources.constraints.read_bytes())
    for line in (*sources.requirements, *PLATFORMS, PYTHON_VERSION, IMPLEMENTATION):
        digest.update(line.encode() + b"\n")
    return digest.hexdigest()


def content_digest(
    sources: Sources, wheelhouse: Path | None = None, bytecode: str = NO_BYTECODE
) -> str:
    """Hash of everything in the package: dependencies (or the given wheels), sources, bytecode."""
    digest = hashlib.sha256(dependency_digest(sources).encode())
    digest.update(f"bytecode={bytecode}\n".encode())
    for wheel in sorted(wheelhouse.glob("*.whl")) if wheelhouse is not None else []:
        digest.update(wheel.name.encode() + hashlib.sha256(wheel.read_bytes()).digest())
    for path in source_files(sources.package_dir):
        digest.update(path.relative_to(sources.package_dir).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def pip_download_command(sources: Sources, dest: Path) -> list[str]:
    """pip's command that fetches Lambda-platform binary wheels of every dependency."""
    return [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--disable-pip-version-check",
        "--only-binary=:all:",
        *(arg for platform in PLATFORMS for arg in ("--platform", platform)),
        "--python-version",
        PYTHON_VERSION,
        "--implementation",
        IMPLEMENTATION,
        "-c",
        str(sources.constraints),
        "-d",
        str(dest),
        *sources.requirements,
    ]


def download_wheels(sources: Sources, cache_dir: Path) -> Path:
    """The wheel directory for these pins, downloaded once per dependency digest."""
    dest = cache_dir / f"wheels-{dependency_digest(sources)[:16]}"
    done = dest / ".complete"
    if done.exists():
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(pip_download_command(sources, dest), capture_output=True, text=True)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise DeployError(f"pip download of the Lambda wheels failed: {last}")
    done.touch()
    return dest


def _wheel_entries(wheels: Path) -> Iterator[tuple[str, bytes]]:
    for wheel in sorted(wheels.glob("*.whl")):
        with zipfile.ZipFile(wheel) as archive:
            for name in archive.namelist():
                parts = set(name.split("/"))
                if name.endswith("/") or parts & SKIPPED_PARTS:
                    continue
                if Path(name).suffix in SKIPPED_SUFFIXES:
                    continue
                yield name, archive.read(name)


def _source_entries(package_dir: Path) -> Iterator[tuple[str, bytes]]:
    for path in source_files(package_dir):
        name = f"{package_dir.name}/{path.relative_to(package_dir).as_posix()}"
        yield name, path.read_bytes()


def write_zip(entries: Iterable[tuple[str, bytes]], out: Path) -> None:
    """Write a zip of `entries` sorted by name, every one with the same time and mode."""
    unique = dict(entries)  # a later entry (drorch's own source) wins over a wheel's copy
    partial = out.with_suffix(".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name in sorted(unique):
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.external_attr = FILE_MODE
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, unique[name])
    partial.replace(out)  # never leave a half-written package where the cache looks


def compiled(entries: Iterable[tuple[str, bytes]], compiler: Compiler) -> list[tuple[str, bytes]]:
    """`entries` plus the .pyc of every module in them, compiled in a scratch copy."""
    unique = dict(entries)  # a later entry (drorch's own source) wins over a wheel's copy
    with tempfile.TemporaryDirectory(prefix="drorch-package-") as scratch:
        root = Path(scratch)
        for name, body in unique.items():
            target = (root / name).resolve()
            if not target.is_relative_to(root.resolve()):
                raise DeployError(f"a wheel entry leaves the package: {name}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
        compile_tree(compiler, root)
        pycs = [path for path in root.rglob("*.pyc") if path.parent.name == "__pycache__"]
        return [*unique.items(), *((p.relative_to(root).as_posix(), p.read_bytes()) for p in pycs)]


def build(
    sources: Sources,
    *,
    cache_dir: Path,
    wheelhouse: Path | None = None,
    compiler: Compiler | None = None,
) -> Package:
    """The package for `sources`, from the cache when its content hash was built before."""
    tag = compiler.tag if compiler is not None else None
    digest = content_digest(sources, wheelhouse, tag or NO_BYTECODE)
    out = cache_dir / f"lambda-{digest[:16]}.zip"
    if out.is_file():
        return Package(out, digest, cached=True, bytecode=tag)
    cache_dir.mkdir(parents=True, exist_ok=True)
    wheels = wheelhouse if wheelhouse is not None else download_wheels(sources, cache_dir)
    entries = [*_wheel_entries(wheels), *_source_entries(sources.package_dir)]
    write_zip(compiled(entries, compiler) if compiler is not None else entries, out)
    return Package(out, digest, cached=False, bytecode=tag)


def given(path: Path) -> Package:
    """A package built elsewhere (`--package FILE`), named by the hash of its bytes."""
    if not path.is_file():
        raise DeployError(f"--package {path}: no such file")
    return Package(path, hashlib.sha256(path.read_bytes()).hexdigest(), cached=True)
