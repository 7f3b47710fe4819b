"""API renderings of execution views: the shapes the OpenAPI document promises, clock-free."""

from __future__ import annotations

import json
from datetime import timedelta

from drorch.api.executions.schemas import ExecutionRead, ExecutionSummaryRead, ServerRunRead
from drorch.api.executions.views import header_json, server_json, timeline_read, timings
from drorch.domain.executions import ExecutionSummary, Pause
from drorch.services.execution_views import view_of
from tests.unit.engine.factory import at, execution


def test_a_server_row_renders_as_the_documented_server_shape() -> None:
    ex = execution([("a", 1)])
    server = ex.waves[0].servers[0]
    server.hostname, server.batch_id, server.started_at = 'web "1"', "b-1", at(5)
    (row,) = view_of(ex).rows
    rendered = json.loads(server_json(row))
    assert rendered == json.loads(ServerRunRead.model_validate(rendered).model_dump_json())
    assert rendered["wave"] == "a" and rendered["hostname"] == 'web "1"'
    assert "batch_id" not in rendered


def test_the_header_counts_servers_and_holds_no_server_list() -> None:
    ex = execution([("a", 2), ("b", 1)])
    ex.waves[0].servers[0].status = "LAUNCHED"
    header = ExecutionRead.model_validate_json(header_json(view_of(ex)))
    assert header.server_count == 3 and header.counts == {"LAUNCHED": 1, "PENDING": 2}
    assert [(w.name, w.server_count, w.counts) for w in header.waves] == [
        ("a", 2, {"LAUNCHED": 1, "PENDING": 1}),
        ("b", 1, {"PENDING": 1}),
    ]
    assert header.jobs.total == 0 and header.finished is False


def test_timings_do_not_move_with_the_clock() -> None:
    ex = execution([("a", 1)])
    ex.pauses = [
        Pause(started_at=at(10), ended_at=at(40), rule="pause"),
        Pause(started_at=at(100), rule="hold"),
    ]
    first = timings(ex)
    ex.updated_at += timedelta(hours=5)  # later reads of the same pauses
    assert timings(ex) == first
    assert first.paused_seconds == 30.0 and first.paused_since == at(100)


def test_the_timeline_has_a_row_per_wave_and_no_servers() -> None:
    ex = execution([("a", 2), ("b", 1)])
    timeline = timeline_read(view_of(ex))
    assert [(w.name, w.server_count, w.jobs) for w in timeline.waves] == [
        ("a", 2, []),
        ("b", 1, []),
    ]
    assert "servers" not in timeline.model_dump()["waves"][0]


def test_listing_rows_are_rendered_straight_from_summaries() -> None:
    # The list route sends a summary's own JSON as its row: both must keep the same fields.
    assert list(ExecutionSummary.model_fields) == list(ExecutionSummaryRead.model_fields)
