"""How the CLI writes stored text, durations and warnings."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from drorch.cli.output import cell_text, details, duration_text, safe_text, table, warn


def test_control_characters_become_visible_escapes() -> None:
    assert safe_text("web\x1b[2J\x00\u202egnp") == "web\\x1b[2J\\x00\\u202egnp"
    assert safe_text("plain name, é 名") == "plain name, é 名"


def test_cells_keep_line_breaks_and_tabs() -> None:
    assert cell_text("one\n\ttwo\x07") == "one\n\ttwo\\x07"
    assert cell_text(["a\x1b", "b"]) == "a\\x1b, b"
    assert cell_text({"k\x9b": "v"}) == "k\\x9b=v"


def test_tables_and_details_print_no_raw_control_character() -> None:
    out = io.StringIO()
    console = Console(file=out, width=120, color_system=None)
    console.print(table(["NAME"], [("evil\x1b]0;title\x07[red]x[/red]",)]))
    console.print(details([("name", "evil\x1b[31m")]))
    printed = out.getvalue()
    assert "\x1b" not in printed and "\x07" not in printed
    assert "evil\\x1b]0;title\\x07[red]x[/red]" in printed


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.4, "0s"), (45, "45s"), (72, "1m 12s"), (59.6, "1m 0s"), (3900, "1h 5m 0s"), (None, None)],
)
def test_durations_read_as_minutes_and_seconds(seconds: float | None, text: str | None) -> None:
    assert duration_text(seconds) == text


def test_warnings_are_one_stderr_line_each(capsys: pytest.CaptureFixture[str]) -> None:
    warn([{"path": "selection", "message": "matches nothing"}, {"path": "a.b", "message": "m"}])
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == "warning: selection: matches nothing\nwarning: a.b: m\n"
