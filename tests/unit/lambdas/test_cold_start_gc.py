"""A cold start runs without garbage collections and freezes what it built; reset thaws it."""

from __future__ import annotations

import gc

from drorch.lambdas import runtime


def test_no_collection_during_a_cold_start_and_its_objects_frozen_after() -> None:
    assert gc.isenabled()
    with runtime.cold_start():
        assert not gc.isenabled()
        built = [object() for _ in range(10)]
    assert gc.isenabled() and gc.get_freeze_count() >= len(built)
    runtime.reset()
    assert gc.get_freeze_count() == 0


def test_a_collector_turned_off_stays_off() -> None:
    gc.disable()
    try:
        with runtime.cold_start():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()
