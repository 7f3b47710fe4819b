"""Output and failure conventions shared by every API-talking command.

Exit codes (documented in `drorch --help` and the README):

    0  success
    1  the API refused the request (4xx/5xx problem), or the answer means "no"
       (e.g. `plans validate` found errors, a delete confirmation was declined)
    2  usage error: bad option values, an unreadable or invalid `-f FILE`
    3  cannot connect: the API is not running or did not answer in time

Errors are one line on stderr; `--json` prints exactly one JSON document on stdout.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Annotated, Any, NoReturn, ParamSpec, TypeVar

import typer
from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from drorch.domain.common import TEXT_LAYOUT, is_control

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_CONNECT = 3

EXIT_CODES_HELP = (
    "Exit codes: 0 ok, 1 the API refused the request, 2 usage error or bad -f FILE, "
    "3 cannot connect to the API."
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON on stdout instead of tables.")]

P = ParamSpec("P")
R = TypeVar("R")


class CliError(Exception):
    """A failure to report as one line on stderr with a documented exit code."""

    def __init__(self, message: str, exit_code: int = EXIT_REFUSED) -> None:
        super().__init__(message)
        self.message = " ".join(message.split())  # one line, whatever the source said
        self.exit_code = exit_code


def fail(message: str, exit_code: int = EXIT_REFUSED) -> NoReturn:
    """Stop the command with a one-line error."""
    raise CliError(message, exit_code)


def reports_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Decorate a command so a CliError becomes one stderr line and its exit code."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except CliError as exc:
            print_error(exc.message)
            raise typer.Exit(exc.exit_code) from None

    return wrapper


def print_error(message: str) -> None:
    """Write `error: <message>` as one line on stderr."""
    sys.stderr.write(f"error: {safe_text(message)}\n")
    sys.stderr.flush()


def note(message: str) -> None:
    """A hint for the operator on stderr (never mixed into --json output)."""
    sys.stderr.write(f"{safe_text(message, keep=LINE_BREAK)}\n")
    sys.stderr.flush()


def safe_text(text: str, *, keep: frozenset[str] = frozenset()) -> str:
    """`text` with every control character (ESC, NUL, bidi overrides...) shown as an escape."""
    # Stored names and server messages are data: raw, they could recolour or rewrite the
    # operator's terminal, or make one name look like another.
    if not any(is_control(c) for c in text):
        return text
    return "".join(c if c in keep or not is_control(c) else _escape(c) for c in text)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def warn(items: Iterable[dict[str, Any]]) -> None:
    """Each `{path, message}` warning of an answer as a `warning:` line on stderr."""
    for item in items:
        path = item.get("path")
        note(f"warning: {path}: {item.get('message')}" if path else f"warning: {item}")


def print_json(data: Any) -> None:
    """Write one JSON document on stdout."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
    sys.stdout.flush()


LINE_BREAK = frozenset("\n")
PIPE_WIDTH = 200  # tables written to a pipe or file are not squeezed into 80 columns


def console() -> Console:
    """A Rich console on the current stdout (looked up late so test runners can capture it)."""
    width = None if sys.stdout.isatty() else PIPE_WIDTH
    return Console(file=sys.stdout, highlight=False, soft_wrap=False, width=width)


def show(data: Any, *, as_json: bool, render: Callable[[Any], RenderableType]) -> None:
    """Print `data` as JSON, or as what `render` makes of it."""
    if as_json:
        print_json(data)
    else:
        console().print(render(data))


def table(
    columns: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str | None = None
) -> Table:
    """A plain Rich table; None cells show as a dash."""
    # Cells are data (group names, hostnames, tags), so Text keeps "[x]" from being markup.
    result = Table(title=title, title_justify="left", header_style="bold")
    for column in columns:
        result.add_column(column, overflow="fold")
    for row in rows:
        result.add_row(*(Text(cell_text(cell)) for cell in row))
    return result


def cell_text(value: Any) -> str:
    """How one value appears in a table cell, control characters escaped."""
    return safe_text(_plain_cell(value), keep=TEXT_LAYOUT)


def _plain_cell(value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def duration_text(seconds: float | None) -> str | None:
    """A duration as people read it: `45s`, `1m 12s`, `2h 5m 0s` (None stays None)."""
    if seconds is None:
        return None
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes}m {secs}s"
    return f"{minutes}m {secs}s" if minutes else f"{secs}s"


def details(pairs: Iterable[tuple[str, Any]], *, title: str | None = None) -> Table:
    """A two-column field/value table for one resource."""
    result = Table(title=title, title_justify="left", show_header=False, box=None)
    result.add_column("field", style="bold")
    result.add_column("value", overflow="fold")
    for name, value in pairs:
        result.add_row(name, Text(cell_text(value)))
    return result
