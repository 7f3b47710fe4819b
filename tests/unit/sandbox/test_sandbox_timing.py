"""The timing model: per-OS durations, seeded jitter, failure odds."""

from __future__ import annotations

from drorch.sandbox.timing import LaunchPlan, Timing


def _end(timing: Timing, os: str, job: str = "drsjob-1") -> float:
    plan = LaunchPlan("s-00000000000000001", os, "NEW", None, "i-0000000000000000a")
    steps = timing.launch_steps(job, 0.0, [plan])
    return float(steps[-1].at)


def test_linux_takes_about_five_minutes_and_windows_about_twenty() -> None:
    timing = Timing(seed=1)
    linux = [_end(timing, "LINUX", f"drsjob-{i}") for i in range(20)]
    windows = [_end(timing, "WINDOWS", f"drsjob-{i}") for i in range(20)]
    assert all(4 * 60 <= t <= 6.5 * 60 for t in linux)
    assert all(16 * 60 <= t <= 24 * 60 for t in windows)


def test_the_same_seed_gives_the_same_schedule_and_jobs_differ() -> None:
    assert _end(Timing(5), "LINUX") == _end(Timing(5), "LINUX")
    assert _end(Timing(5), "LINUX", "drsjob-a") != _end(Timing(5), "LINUX", "drsjob-b")
    assert _end(Timing(5), "LINUX") != _end(Timing(6), "LINUX")


def test_launch_steps_follow_the_drs_event_order() -> None:
    plan = LaunchPlan("s-00000000000000001", "LINUX", "NEW", None, "i-0000000000000000a")
    kinds = [s.kind for s in Timing(1).launch_steps("drsjob-1", 0.0, [plan])]
    assert kinds == [
        "JOB_START",
        "SNAPSHOT_START",
        "SNAPSHOT_END",
        "CONVERSION_START",
        "CONVERSION_END",
        "LAUNCH_START",
        "LAUNCHED",
        "JOB_END",
    ]


def test_failed_phases_end_the_server_with_the_failure_event() -> None:
    timing = Timing(1)
    for phase, event in (("CONVERSION", "CONVERSION_FAIL"), ("LAUNCH", "LAUNCH_FAILED")):
        plan = LaunchPlan("s-00000000000000001", "LINUX", "PREVIOUS", phase, "i-0000000000000000a")
        kinds = [s.kind for s in timing.launch_steps("drsjob-1", 0.0, [plan])]
        assert kinds[1] == "USING_PREVIOUS_SNAPSHOT"
        assert kinds[-2] == event
        assert "LAUNCHED" not in kinds


def test_failure_probability_zero_never_fails_and_one_always_fails() -> None:
    timing = Timing(1)
    jobs = [f"drsjob-{i}" for i in range(50)]
    assert all(timing.fails(j, "s-1", 0.0) is None for j in jobs)
    assert all(timing.fails(j, "s-1", 1.0) in ("CONVERSION", "LAUNCH") for j in jobs)
    some = [timing.fails(j, "s-1", 0.5) for j in jobs]
    assert None in some and any(some)


def test_terminate_jobs_clean_up_every_server() -> None:
    steps = Timing(1).terminate_steps("drsjob-9", 100.0, ["s-a", "s-b"])
    kinds = [s.kind for s in steps]
    assert kinds[0] == "JOB_START" and kinds[-1] == "JOB_END"
    assert kinds.count("CLEANUP_START") == 2 and kinds.count("CLEANUP_END") == 2
    assert all(100.0 < s.at < 100.0 + 120 for s in steps)
