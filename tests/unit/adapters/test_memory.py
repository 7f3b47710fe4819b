"""The malloc-heap trimmer: glibc's malloc_trim called from a background thread."""

from __future__ import annotations

import platform
import threading

from drorch.adapters.memory import MemoryTrimmer, libc_trim
from drorch.bootstrap import bootstrap
from drorch.config import Settings


def test_the_trimmer_calls_trim_until_stopped() -> None:
    called = threading.Event()
    calls: list[int] = []

    def trim() -> bool:
        calls.append(1)
        if len(calls) >= 3:
            called.set()
        return True

    trimmer = MemoryTrimmer(0.001, trim)
    trimmer.start()
    assert called.wait(5.0)
    trimmer.stop()
    after_stop = len(calls)
    assert trimmer.trims == after_stop >= 3
    assert not any(t.name == "drorch-trim" for t in threading.enumerate())
    assert trimmer.trim_now() is True and len(calls) == after_stop + 1


def test_a_failing_trim_ends_the_thread_not_the_process() -> None:
    def trim() -> bool:
        raise OSError("no heap here")

    trimmer = MemoryTrimmer(0.001, trim)
    trimmer.start()
    assert trimmer._thread is not None
    trimmer._thread.join(5.0)
    assert not trimmer._thread.is_alive()
    trimmer.stop()


def test_glibc_trim_runs_for_real_on_linux() -> None:
    trim = libc_trim()
    if platform.system() == "Linux" and platform.libc_ver()[0] == "glibc":
        assert trim is not None
        garbage = [bytearray(4096) for _ in range(2000)]  # ~8 MB freed just before the trim
        del garbage
        assert trim() in (True, False)
    else:
        assert MemoryTrimmer(1.0, None).available is (trim is not None)


def test_bootstrap_adds_the_trimmer_unless_turned_off(tmp_path: object) -> None:
    on = bootstrap(Settings(data_dir=tmp_path, runner_enabled=False, drs_enabled=False))
    off = bootstrap(
        Settings(data_dir=tmp_path, runner_enabled=False, drs_enabled=False, memory_trim_seconds=0)
    )
    try:
        trimmers = [w for w in on.background if isinstance(w, MemoryTrimmer)]
        assert [t.seconds for t in trimmers] == [1.0]
        assert not any(isinstance(w, MemoryTrimmer) for w in off.background)
    finally:
        on.store.close()
        off.store.close()
