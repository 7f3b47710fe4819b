"""nextToken pagination through boto3's own paginators."""

from __future__ import annotations

import pytest

from tests.support.sandbox import RunningSandbox, sid


def test_source_servers_page_through_the_whole_scope(big: RunningSandbox) -> None:
    drs = big.client()
    pages = list(
        drs.get_paginator("describe_source_servers").paginate(PaginationConfig={"PageSize": 64})
    )
    ids = [i["sourceServerID"] for page in pages for i in page["items"]]
    assert len(pages) == 11 and len(ids) == 700 and len(set(ids)) == 700
    assert ids == sorted(ids)
    assert "nextToken" not in pages[-1]


def test_default_page_is_100_and_a_token_only_fits_its_request(big: RunningSandbox) -> None:
    drs = big.client()
    first = drs.describe_source_servers()
    assert len(first["items"]) == 100
    with pytest.raises(drs.exceptions.ValidationException):
        drs.describe_jobs(nextToken=first["nextToken"])
    with pytest.raises(drs.exceptions.ValidationException):
        drs.describe_source_servers(nextToken="not-a-token")


def test_jobs_log_items_instances_and_snapshots_paginate(big: RunningSandbox) -> None:
    drs = big.client()
    for i in range(7):
        drs.start_recovery(sourceServers=[{"sourceServerID": sid(1000 + i)}], isDrill=True)
    big.advance(900)
    jobs = _all(drs, "describe_jobs", {})
    assert len(jobs) == 7
    log = _all(drs, "describe_job_log_items", {"jobID": jobs[0]["jobID"]})
    assert log[0]["event"] == "JOB_START" and log[-1]["event"] == "JOB_END"
    assert len(_all(drs, "describe_recovery_instances", {})) == 7
    snaps = _all(drs, "describe_recovery_snapshots", {"sourceServerID": sid(1000)})
    single = drs.describe_recovery_snapshots(sourceServerID=sid(1000), maxResults=1000)["items"]
    assert snaps == single and len(snaps) > 3


def _all(drs: object, operation: str, params: dict[str, object]) -> list[dict[str, object]]:
    paginator = drs.get_paginator(operation)  # type: ignore[attr-defined]
    pages = paginator.paginate(**params, PaginationConfig={"PageSize": 3})
    return [item for page in pages for item in page["items"]]
