"""Loading `-f FILE` documents (YAML or JSON) with one-line errors naming the file."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from drorch.cli.output import EXIT_USAGE, CliError

FileOption = Annotated[
    Path,
    typer.Option(
        "-f",
        "--file",
        metavar="FILE",
        help="YAML or JSON document ('-' reads stdin).",
        show_default=False,
    ),
]

JSON_SUFFIXES = {".json"}
YAML_SUFFIXES = {".yaml", ".yml"}


class _Loader(yaml.SafeLoader):
    """Safe YAML without implicit timestamps, so every value stays JSON-serialisable."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_document(path: Path) -> dict[str, Any]:
    """The mapping a YAML or JSON file holds; exit 2 with one line when it cannot."""
    name = "<stdin>" if str(path) == "-" else str(path)
    text = _read(path, name)
    if not text.strip():
        raise CliError(f"{name}: the file is empty", EXIT_USAGE)
    data = _parse_json(text, name) if _looks_like_json(path, text) else _parse_yaml(text, name)
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else type(data).__name__
        raise CliError(f"{name}: expected a mapping at the top level, got {kind}", EXIT_USAGE)
    return data


def _read(path: Path, name: str) -> str:
    if str(path) == "-":
        return sys.stdin.read()
    try:
        return path.read_text(encoding="utf-8-sig")  # tolerate a byte-order mark
    except FileNotFoundError:
        raise CliError(f"{name}: no such file", EXIT_USAGE) from None
    except IsADirectoryError:
        raise CliError(f"{name}: is a directory, not a file", EXIT_USAGE) from None
    except UnicodeDecodeError:
        raise CliError(f"{name}: not UTF-8 text", EXIT_USAGE) from None
    except OSError as exc:
        raise CliError(f"{name}: cannot read it ({exc.strerror or exc})", EXIT_USAGE) from None


def _looks_like_json(path: Path, text: str) -> bool:
    # The extension decides; otherwise JSON documents start with { or [.
    suffix = path.suffix.lower()
    if suffix in JSON_SUFFIXES:
        return True
    if suffix in YAML_SUFFIXES:
        return False
    return text.lstrip().startswith(("{", "["))


def _parse_json(text: str, name: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise CliError(f"{name}: invalid JSON at {where}: {exc.msg}", EXIT_USAGE) from None


def _parse_yaml(text: str, name: str) -> Any:
    try:
        return yaml.load(text, Loader=_Loader)  # _Loader derives from SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        problem = exc.problem or exc.context or "cannot parse"
        raise CliError(f"{name}: invalid YAML{where}: {problem}", EXIT_USAGE) from None
    except yaml.YAMLError as exc:
        raise CliError(f"{name}: invalid YAML: {exc}", EXIT_USAGE) from None
