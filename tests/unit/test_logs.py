"""Log lines: JSON with the request, execution and principal of their context; no secrets."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest

from drorch import logcontext
from drorch.config import Settings
from drorch.logs import configure_logging


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """Leave drorch's logger as it was: these tests point it at captured streams."""
    logger = logging.getLogger("drorch")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    yield
    logger.handlers[:], logger.level, logger.propagate = saved[0], saved[1], saved[2]


def emit(capsys: pytest.CaptureFixture[str], fmt: str, **extra: object) -> str:
    configure_logging(Settings(log_format=fmt))  # type: ignore[arg-type]
    tokens = [
        logcontext.request_id.set("req-1"),
        logcontext.execution_id.set("ex-1"),
        logcontext.principal.set("alice"),
    ]
    try:
        logging.getLogger("drorch.test").info("hello %s", "there", extra=extra)
    finally:
        for var, token in zip(
            (logcontext.request_id, logcontext.execution_id, logcontext.principal),
            tokens,
            strict=True,
        ):
            var.reset(token)
    return capsys.readouterr().err.strip().splitlines()[-1]


def test_a_json_line_carries_the_context_and_structured_fields(
    capsys: pytest.CaptureFixture[str],
) -> None:
    line = json.loads(emit(capsys, "json", route="/api/v1/x/{id}", status=200, ignored="no"))
    assert line["message"] == "hello there" and line["level"] == "INFO"
    assert (line["request_id"], line["execution_id"], line["principal"]) == (
        "req-1",
        "ex-1",
        "alice",
    )
    assert (line["route"], line["status"]) == ("/api/v1/x/{id}", 200)
    assert "ignored" not in line  # only the known structured fields are copied


def test_a_text_line_names_the_same_context(capsys: pytest.CaptureFixture[str]) -> None:
    assert "[req-1 ex=ex-1 by=alice]: hello there" in emit(capsys, "text")


def test_outside_any_request_the_fields_say_dash(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(Settings(log_format="json"))
    logging.getLogger("drorch.test").warning("idle")
    line = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert (line["request_id"], line["execution_id"], line["principal"]) == ("-", "-", "-")
