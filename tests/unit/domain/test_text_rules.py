"""Names refuse control characters; free text keeps line breaks and tabs only."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from drorch.domain.common import control_characters, echo_problems, is_control
from drorch.domain.groups import GroupDraft
from drorch.domain.plans import PlanDraft

UNSAFE = ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9b", "\u202a", "\u202e", "\u2066", "\u2069"]
SAFE = ["a", " ", "é", "名", "\u00a0", "\u2013", "🙂"]


@pytest.mark.parametrize("char", UNSAFE)
def test_control_characters_are_recognised(char: str) -> None:
    assert is_control(char)


@pytest.mark.parametrize("char", SAFE)
def test_ordinary_text_is_not_control(char: str) -> None:
    assert not is_control(char)


def test_each_control_character_is_named_once() -> None:
    assert control_characters("a\x1b[1m\x1bb\u202e") == ["U+001B", "U+202E"]


@pytest.mark.parametrize("char", UNSAFE)
def test_a_plan_name_or_wave_name_with_a_control_character_is_refused(char: str) -> None:
    with pytest.raises(ValidationError) as caught:
        PlanDraft(name=f"p{char}", waves=[{"name": f"w{char}"}])
    assert [e["loc"] for e in caught.value.errors()] == [("name",), ("waves", 0, "name")]


def test_descriptions_keep_line_breaks_and_tabs_only() -> None:
    kept = PlanDraft(name="p", description="one\n\ttwo", waves=[{"name": "w"}])
    assert kept.description == "one\n\ttwo"
    with pytest.raises(ValidationError, match="other than line breaks and tabs"):
        PlanDraft(name="p", description="one\r\x1b[2K", waves=[{"name": "w"}])


def test_tag_selectors_refuse_control_characters_in_keys_and_values() -> None:
    base = {"name": "g", "account_id": "111122223333", "region": "us-east-1"}
    for tags in ({"app\x1b": "x"}, {"app": "x\u202e"}):
        with pytest.raises(ValidationError, match="control characters"):
            GroupDraft(**base, selection={"tags": tags})


def test_read_only_echoes_that_differ_are_named_in_order() -> None:
    current = {"id": "pg-1", "member_server_ids": ["s-2", "s-1"], "created_at": 5}
    echoed = {"id": "pg-1", "member_server_ids": ["s-1", "s-2"], "created_at": 6}
    assert [p.path for p in echo_problems(echoed, current)] == ["created_at"]
    assert [p.path for p in echo_problems({"id": "pg-9"}, current)] == ["id"]
