"""Quota math: usage merges DRS jobs and open intents; fit never exceeds a quota."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from drorch.domain.executions import TAG_BATCH, Intent
from drorch.engine import quotas
from drorch.engine.backoff import delay
from drorch.engine.quotas import Limits, Usage
from tests.unit.engine.factory import ACCOUNT, REGION, T0, job, sid


def intent(batch: str, servers: list[str], job_id: str | None = None) -> Intent:
    return Intent(
        execution_id="ex-1",
        batch_id=batch,
        kind="LAUNCH",
        execution_type="DRILL",
        account_id=ACCOUNT,
        region=REGION,
        source_server_ids=servers,
        state="STARTED" if job_id else "OPEN",
        job_id=job_id,
        created_at=T0,
    )


def test_usage_counts_a_job_once_whether_seen_in_drs_or_as_intent() -> None:
    ours = job("j-1", {sid(1): "PENDING", sid(2): "PENDING"}, tags={TAG_BATCH: "b-1"})
    foreign = job("j-2", {sid(3): "IN_PROGRESS"})
    done = job("j-3", {sid(4): "LAUNCHED"}, status="COMPLETED", tags={TAG_BATCH: "b-3"})
    intents = [
        intent("b-1", [sid(1), sid(2)], "j-1"),
        intent("b-3", [sid(4)], "j-3"),
        intent("b-4", [sid(5)]),  # being started right now, not listed yet
    ]
    use = quotas.usage([ours, foreign, done], intents)
    assert use == Usage(jobs=3, servers=4, busy=frozenset({sid(1), sid(2), sid(3), sid(5)}))


def test_fit_trims_to_server_room_and_skips_busy_servers() -> None:
    use = Usage(jobs=3, servers=450, busy=frozenset({sid(1)}))
    wished = [sid(i) for i in range(1, 101)]
    assert quotas.fit(wished, use, Limits()) == wished[1:51]


def test_fit_gives_nothing_at_twenty_jobs_or_when_a_recovery_waits() -> None:
    assert quotas.fit([sid(1)], Usage(jobs=20), Limits()) == []
    assert quotas.fit([sid(1)], Usage(), Limits(), yield_to_recovery=True) == []


@given(
    st.integers(0, 25),
    st.integers(0, 520),
    st.sets(st.integers(1, 300), max_size=50),
    st.lists(st.integers(1, 300), unique=True, max_size=250),
)
def test_fit_never_breaks_a_quota(
    jobs: int, servers: int, busy: set[int], wished: list[int]
) -> None:
    limits = Limits()
    use = Usage(jobs=jobs, servers=servers, busy=frozenset(sid(b) for b in busy))
    got = quotas.fit([sid(w) for w in wished], use, limits)
    assert len(got) <= limits.servers_per_job
    if got:
        after = quotas.add(use, got)
        assert after.jobs <= limits.concurrent_jobs
        assert after.servers <= limits.servers_in_active_jobs
        assert not set(got) & use.busy


@given(st.lists(st.integers(), max_size=1000), st.integers(1, 200))
def test_chunks_are_small_even_and_complete(items: list[int], size: int) -> None:
    parts = quotas.chunks(items, size)
    assert [x for part in parts for x in part] == items
    assert all(0 < len(p) <= size for p in parts)
    if parts:
        assert max(map(len, parts)) - min(map(len, parts)) <= 1


@given(st.integers(1, 40), st.floats(0, 0.999), st.one_of(st.none(), st.floats(0, 600)))
def test_backoff_is_capped_jittered_and_honours_retry_after(
    attempts: int, jitter: float, retry_after: float | None
) -> None:
    wait = delay(attempts, base=1.0, cap=60.0, jitter=jitter, retry_after=retry_after)
    assert wait >= (retry_after or 0.0)
    assert wait <= max(60.0, retry_after or 0.0)
    assert wait >= min(60.0, 2.0 ** (attempts - 1)) / 2 or retry_after


def test_backoff_grows_exponentially() -> None:
    waits = [delay(a, base=1.0, cap=60.0, jitter=0.0) for a in range(1, 9)]
    assert waits == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
