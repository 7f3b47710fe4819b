"""Export cells and report wording: formulas defused, nulls empty, durations readable."""

from __future__ import annotations

import csv
import io

from drorch.services.reports.export import COLUMNS, to_csv
from drorch.services.reports.text import span


def row(**fields: object) -> dict[str, object]:
    return {**dict.fromkeys(COLUMNS), **fields}


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_kept_as_text() -> None:
    text = to_csv([row(plan_name='=HYPERLINK("x")', started_by="@bob", id="ex-1")])
    parsed = next(csv.DictReader(io.StringIO(text)))
    assert parsed["plan_name"] == '\'=HYPERLINK("x")' and parsed["started_by"] == "'@bob"
    assert parsed["id"] == "ex-1"


def test_nulls_booleans_and_lists_have_one_spelling() -> None:
    text = to_csv([row(within_rto=False, leftovers=["i-1", "i-2"], ended_at=None, servers=3)])
    parsed = next(csv.DictReader(io.StringIO(text)))
    assert (parsed["within_rto"], parsed["leftovers"], parsed["ended_at"], parsed["servers"]) == (
        "false",
        "i-1 i-2",
        "",
        "3",
    )
    assert text.splitlines()[0] == ",".join(COLUMNS)


def test_durations_read_as_people_write_them() -> None:
    assert [span(None), span(12.25), span(184), span(3725)] == [
        "-",
        "12.2 s",
        "3 min 04 s",
        "1 h 02 min 05 s",
    ]
