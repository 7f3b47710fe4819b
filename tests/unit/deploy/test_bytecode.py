"""The package's bytecode: compiled by the runtime's Python, unchecked-hash, reproducible."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from drorch.cli.deploy_inputs import lambda_package
from drorch.deploy import bytecode, package
from drorch.errors import DeployError
from tests.unit.deploy.test_package import make_wheel

CURRENT = f"{sys.version_info[0]}.{sys.version_info[1]}"
UNCHECKED_HASH = 0b01  # PEP 552: hash-based, source not checked


@pytest.fixture
def sources(tmp_path: Path) -> package.Sources:
    pkg = tmp_path / "src" / "drorch"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "mod.py").write_text(
        "NAMES = {'a', 'b', 'c'}\n\ndef f(x):\n    return x in NAMES\n"
    )
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("tinydep==1.0\n")
    (tmp_path / "wheels").mkdir()
    make_wheel(tmp_path / "wheels")
    return package.Sources(pkg, constraints, ("tinydep",))


@pytest.fixture(scope="module")
def compiler() -> bytecode.Compiler:
    found = bytecode.probe(Path(sys.executable))
    assert found is not None and found.version == CURRENT
    return found


def magic_of(python: Path) -> bytes:
    """The .pyc magic of `python`, asked of that interpreter itself."""
    code = "import importlib.util, sys; sys.stdout.write(importlib.util.MAGIC_NUMBER.hex())"
    return bytes.fromhex(
        subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True).stdout
    )


def build(
    sources: package.Sources, cache: Path, compiler: bytecode.Compiler | None
) -> package.Package:
    return package.build(
        sources,
        cache_dir=cache,
        wheelhouse=sources.constraints.parent / "wheels",
        compiler=compiler,
    )


def test_every_module_ships_an_unchecked_hash_pyc_of_the_compilers_magic(
    sources: package.Sources, compiler: bytecode.Compiler, tmp_path: Path
) -> None:
    built = build(sources, tmp_path / "cache", compiler)
    tag = sys.implementation.cache_tag
    with zipfile.ZipFile(built.path) as archive:
        names = archive.namelist()
        modules = [n for n in names if n.endswith(".py")]
        assert {"drorch/sub/mod.py", "tinydep/__init__.py"} <= set(modules)
        for module in modules:
            folder, _, stem = module.rpartition("/")
            pyc = archive.read(f"{folder}/__pycache__/{stem[:-3]}.{tag}.pyc")
            assert pyc[:4] == magic_of(compiler.python)
            assert int.from_bytes(pyc[4:8], "little") == UNCHECKED_HASH
            source_hash = importlib.util.source_hash(archive.read(module))
            assert pyc[8:16] == source_hash  # the source's hash, not its mtime
    assert names == sorted(names)
    assert built.bytecode == compiler.tag


def test_the_shipped_pyc_is_used_as_it_is(
    sources: package.Sources, compiler: bytecode.Compiler, tmp_path: Path
) -> None:
    built = build(sources, tmp_path / "cache", compiler)
    unpacked = tmp_path / "task"
    with zipfile.ZipFile(built.path) as archive:
        archive.extractall(unpacked)
    (unpacked / "drorch" / "sub" / "mod.py").write_text("def f(x):\n    return 'source'\n")
    code = "from drorch.sub import mod; print(mod.f('a'))"
    ran = subprocess.run(
        [sys.executable, "-B", "-c", code],
        cwd=unpacked,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONSAFEPATH": ""},
    )
    assert ran.stdout.strip() == "True"  # the unchecked .pyc, not the edited source


def test_two_builds_with_bytecode_are_the_same_bytes(
    sources: package.Sources, compiler: bytecode.Compiler, tmp_path: Path
) -> None:
    first = build(sources, tmp_path / "a", compiler)
    second = build(sources, tmp_path / "b", compiler)
    assert first.path.read_bytes() == second.path.read_bytes()


def test_the_cache_key_says_whether_and_which_bytecode_it_holds(
    sources: package.Sources, compiler: bytecode.Compiler, tmp_path: Path
) -> None:
    plain = build(sources, tmp_path / "cache", None)
    compiled = build(sources, tmp_path / "cache", compiler)
    other = bytecode.Compiler(compiler.python, compiler.version, "00000000")
    assert (
        len(
            {
                plain.key,
                compiled.key,
                package.content_digest(sources, sources.constraints.parent / "wheels", other.tag)[
                    :16
                ],
            }
        )
        == 3
    )
    assert not compiled.cached and plain.bytecode is None
    with zipfile.ZipFile(plain.path) as archive:
        assert not [n for n in archive.namelist() if n.endswith(".pyc")]


def test_a_python_of_another_version_than_the_runtime_is_a_clear_error() -> None:
    with pytest.raises(DeployError, match=f"is Python {CURRENT}, the Lambda runtime is python3.0"):
        bytecode.resolve(Path(sys.executable), "3.0")
    with pytest.raises(DeployError, match="does not run"):
        bytecode.resolve(Path("/nonexistent/python"), "3.12")


def test_the_runtimes_python_is_found_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / f"python{CURRENT}").symlink_to(sys.executable)
    monkeypatch.setenv("PATH", str(tmp_path))
    found = bytecode.resolve(None, CURRENT)
    assert found is not None and found.python == tmp_path / f"python{CURRENT}"
    assert bytes.fromhex(found.magic) == importlib.util.MAGIC_NUMBER
    assert bytecode.resolve(None, "3.0") is None  # none anywhere: no bytecode, no error


def test_no_runtime_python_ships_sources_only_with_one_warning(
    sources: package.Sources,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no python3.12 on it
    monkeypatch.setattr(bytecode, "WELL_KNOWN", ())  # nor in the usual places
    monkeypatch.setenv("DRORCH_DEPLOY_WHEELHOUSE", str(tmp_path / "wheels"))
    monkeypatch.setenv("DRORCH_DEPLOY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("DRORCH_DEPLOY_PYTHON", raising=False)
    built = lambda_package(None)
    warnings = capsys.readouterr().err.strip().splitlines()
    assert len(warnings) == 1 and warnings[0].startswith("warning: no Python 3.12 found")
    with zipfile.ZipFile(built.path) as archive:
        names = archive.namelist()
    assert "drorch/lambdas/api.py" in names and not [n for n in names if n.endswith(".pyc")]


def test_deploy_package_refuses_a_configured_python_that_does_not_run_in_one_line(
    tmp_path: Path,
) -> None:
    from typer.testing import CliRunner

    from drorch.cli.main import app

    missing = tmp_path / "python3.12"
    env = {"DRORCH_DEPLOY_CACHE_DIR": str(tmp_path / "cache"), "DRORCH_DEPLOY_PYTHON": str(missing)}
    result = CliRunner().invoke(app, ["deploy", "package"], env=env)
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"deploy Python {missing} does not run" in lines[0]
    assert not (tmp_path / "cache").exists()  # refused before anything was built
