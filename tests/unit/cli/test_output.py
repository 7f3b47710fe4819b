"""How the CLI writes durations and warnings."""

from __future__ import annotations

import pytest

from drorch.cli.output import duration_text, warn


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
