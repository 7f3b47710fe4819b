"""The Lambda package: reproducible bytes, cached by content hash, Lambda-platform wheels."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from drorch.deploy import package
from drorch.errors import DeployError


def make_wheel(directory: Path, name: str = "tinydep", version: str = "1.0") -> Path:
    """A real (tiny) pure-Python wheel: a module and its dist-info."""
    path = directory / f"{name}-{version}-py3-none-any.whl"
    info = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": b"VALUE = 1\n",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n".encode(),
        f"{info}/WHEEL": b"Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = "".join(
        f"{n},sha256={hashlib.sha256(b).hexdigest()},{len(b)}\n" for n, b in files.items()
    )
    files[f"{info}/RECORD"] = (record + f"{info}/RECORD,,\n").encode()
    with zipfile.ZipFile(path, "w") as archive:
        for entry, body in files.items():
            archive.writestr(entry, body)
    return path


@pytest.fixture
def sources(tmp_path: Path) -> package.Sources:
    pkg = tmp_path / "src" / "drorch"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "mod.py").write_text("X = 1\n")
    (pkg / "__pycache__").mkdir()
    (pkg / "__pycache__" / "mod.cpython-312.pyc").write_bytes(b"junk")
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("tinydep==1.0\n")
    return package.Sources(pkg, constraints, ("tinydep",))


@pytest.fixture
def wheelhouse(tmp_path: Path) -> Path:
    directory = tmp_path / "wheels"
    directory.mkdir()
    make_wheel(directory)
    return directory


def test_the_zip_holds_the_wheels_and_the_sources_sorted_with_fixed_times(
    sources: package.Sources, wheelhouse: Path, tmp_path: Path
) -> None:
    built = package.build(sources, cache_dir=tmp_path / "cache", wheelhouse=wheelhouse)
    with zipfile.ZipFile(built.path) as archive:
        names = archive.namelist()
        infos = archive.infolist()
        assert archive.read("tinydep/__init__.py") == b"VALUE = 1\n"
    assert names == sorted(names)
    assert "drorch/sub/mod.py" in names and "tinydep-1.0.dist-info/METADATA" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert {info.date_time for info in infos} == {package.FIXED_TIME}
    assert not built.cached


def test_two_builds_of_the_same_tree_are_the_same_bytes(
    sources: package.Sources, wheelhouse: Path, tmp_path: Path
) -> None:
    first = package.build(sources, cache_dir=tmp_path / "a", wheelhouse=wheelhouse)
    second = package.build(sources, cache_dir=tmp_path / "b", wheelhouse=wheelhouse)
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.key == second.key


def test_an_unchanged_tree_comes_from_the_cache_and_a_change_rebuilds(
    sources: package.Sources, wheelhouse: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first = package.build(sources, cache_dir=cache, wheelhouse=wheelhouse)
    again = package.build(sources, cache_dir=cache, wheelhouse=wheelhouse)
    assert again.cached and again.path == first.path
    (sources.package_dir / "sub" / "mod.py").write_text("X = 2\n")
    changed = package.build(sources, cache_dir=cache, wheelhouse=wheelhouse)
    assert not changed.cached and changed.key != first.key
    sources.constraints.write_text("tinydep==1.1\n")
    assert package.build(sources, cache_dir=cache, wheelhouse=wheelhouse).key != changed.key


def test_pip_fetches_binary_wheels_for_lambdas_platform(sources: package.Sources) -> None:
    command = package.pip_download_command(sources, Path("/wheels"))
    joined = " ".join(command)
    assert "--only-binary=:all:" in command
    assert "--platform manylinux2014_x86_64" in joined
    assert "--platform manylinux_2_28_x86_64" in joined  # newer wheels (argon2's) need it
    assert "--python-version 3.12" in joined and "--implementation cp" in joined
    assert f"-c {sources.constraints}" in joined and command[-1] == "tinydep"


def test_a_checkout_gives_its_pinned_runtime_dependencies() -> None:
    import drorch

    found = package.source_tree_sources(Path(drorch.__file__).resolve().parent)
    assert found.constraints.name == "constraints.txt"
    assert any(dep.startswith("boto3") for dep in found.requirements)
    assert not any(dep.startswith("pytest") for dep in found.requirements)


def test_a_given_package_is_named_by_its_bytes(tmp_path: Path) -> None:
    zipped = tmp_path / "p.zip"
    zipped.write_bytes(b"PK")
    assert package.given(zipped).digest == hashlib.sha256(b"PK").hexdigest()
    with pytest.raises(DeployError, match="no such file"):
        package.given(tmp_path / "missing.zip")
