"""Launch-settings records share equal members, and only equal ones."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from drorch.domain.launch_settings import LaunchSettings, SettingsRecord

JSON_VALUES = st.one_of(st.booleans(), st.integers(-2, 2), st.floats(-2, 2), st.none(), st.text())


def _record(server_id: str, previous: dict[str, object], **wanted: object) -> SettingsRecord:
    body = {"source_server_id": server_id, "wanted": wanted, "previous_drs": previous}
    return SettingsRecord.model_validate(body)


def test_records_read_apart_share_their_equal_settings_and_dicts() -> None:
    first = SettingsRecord.model_validate_json(
        '{"source_server_id": "s-1", "wanted": {"copy_tags": false},'
        ' "previous_drs": {"copyTags": true, "licensing": {"osByol": false}}}'
    )
    second = _record("s-2", {"copyTags": True, "licensing": {"osByol": False}}, copy_tags=False)
    assert first.wanted is second.wanted
    assert first.previous_drs is second.previous_drs
    assert first.drs_changes is second.drs_changes
    assert (first.source_server_id, second.source_server_id) == ("s-1", "s-2")


def test_a_copy_with_changes_keeps_what_it_was_given() -> None:
    first = _record("s-1", {"copyTags": True})
    changed = first.model_copy(update={"drs_changes": {"copyTags": False}})
    assert changed.drs_changes == {"copyTags": False}
    assert first.drs_changes == {}
    assert changed.wanted is first.wanted


@given(a=JSON_VALUES, b=JSON_VALUES)
def test_members_are_shared_only_when_equal_in_value_and_type(a: object, b: object) -> None:
    one, two = _record("s-1", {"x": a}), _record("s-2", {"x": b})
    if one.previous_drs is two.previous_drs:
        assert type(a) is type(b) and repr(a) == repr(b)  # 0.0 and -0.0 stay apart too
    assert one.previous_drs == {"x": a} and two.previous_drs == {"x": b}
    assert (one.previous_drs is two.previous_drs) or repr(a) != repr(b)


def test_settings_that_differ_are_not_shared() -> None:
    assert _record("s-1", {}, instance_type="m5.large").wanted == LaunchSettings(
        instance_type="m5.large"
    )
    assert _record("s-1", {}, byol=True).wanted is not _record("s-2", {}).wanted
