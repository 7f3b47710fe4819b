"""The DRS adapter: conversions, pagination, error translation (sandbox first, Stubber where
the exact request matters)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.stub import Stubber

from drorch.adapters.aws.drs import BotoDrsClient, BotoDrsGateway
from drorch.adapters.aws.drs_convert import parse_duration, to_job
from drorch.adapters.storage.sqlite import SqliteStore
from drorch.errors import (
    DrsAccessDeniedError,
    DrsConflictError,
    DrsError,
    DrsNotFoundError,
    DrsQuotaError,
    DrsThrottlingError,
    DrsUnavailableError,
    DrsValidationError,
)
from drorch.ports.drs import JobServer, Scope
from drorch.services.inventory import sync_inventory
from tests.support.sandbox import ACCOUNT, REGION, RunningSandbox, sid

SCOPE = Scope(ACCOUNT, REGION)


def _stubbed() -> tuple[BotoDrsClient, Stubber]:
    client = boto3.session.Session(
        aws_access_key_id="k", aws_secret_access_key="s", region_name=REGION
    ).client("drs")
    return BotoDrsClient(client, SCOPE), Stubber(client)


# -- against the sandbox -------------------------------------------------------------------


def test_source_servers_become_domain_servers(sb: RunningSandbox) -> None:
    servers = {s.id: s for s in sb.gateway().client(SCOPE).describe_source_servers()}
    assert len(servers) == 8
    linux, windows, stalled = servers[sid(1)], servers[sid(5)], servers[sid(7)]
    assert (linux.hostname, linux.os, linux.account_id, linux.region) == (
        "lin-1",
        "LINUX",
        ACCOUNT,
        REGION,
    )
    assert windows.os == "WINDOWS" and linux.replication_healthy
    assert stalled.replication_state == "STALLED" and stalled.lag_seconds == 3600
    assert not stalled.replication_healthy and linux.tags == {"Tier": "web"}


def test_gateway_scopes_come_from_the_fleet(sb: RunningSandbox) -> None:
    gateway = sb.gateway()
    assert gateway.scopes() == sb.scopes()
    assert gateway.client(SCOPE) is gateway.client(SCOPE)
    gateway.ping()


def test_jobs_log_items_and_instances_convert(sb: RunningSandbox) -> None:
    drs = sb.gateway().client(SCOPE)
    job = drs.start_recovery(source_server_ids=[sid(1)], is_drill=True, tags={"ex": "1"})
    assert (job.type, job.initiated_by, job.status, job.tags) == (
        "LAUNCH",
        "START_DRILL",
        "PENDING",
        {"ex": "1"},
    )
    assert job.creation_time is not None and job.creation_time.tzinfo is not None
    sb.advance(900)
    [done] = drs.describe_jobs(job_ids=[job.job_id])
    assert done.status == "COMPLETED" and done.end_time is not None
    assert done.servers[0].launch_status == "LAUNCHED"
    log = drs.describe_job_log_items(job.job_id)
    assert log[0].event == "JOB_START" and log[-1].event == "JOB_END"
    assert any(i.event == "LAUNCH_START" and i.source_server_id == sid(1) for i in log)
    [inst] = drs.describe_recovery_instances(source_server_ids=[sid(1)])
    assert inst.is_drill and inst.job_id == job.job_id and inst.state == "RUNNING"
    assert inst.ec2_instance_id == done.servers[0].recovery_instance_id
    terminate = drs.terminate_recovery_instances([inst.recovery_instance_id])
    assert terminate.type == "TERMINATE"


def test_describe_jobs_by_date_and_empty_filters(sb: RunningSandbox) -> None:
    drs = sb.gateway().client(SCOPE)
    job = drs.start_recovery(source_server_ids=[sid(2)], is_drill=True, tags={})
    assert job.creation_time is not None
    window = drs.describe_jobs(
        from_date=job.creation_time - timedelta(seconds=1),
        to_date=job.creation_time + timedelta(seconds=1),
    )
    assert [j.job_id for j in window] == [job.job_id]
    assert drs.describe_jobs(from_date=job.creation_time + timedelta(hours=1)) == []
    assert drs.describe_jobs(job_ids=[]) == []
    assert drs.describe_recovery_instances(source_server_ids=[]) == []


def test_drs_errors_keep_their_identity(sb: RunningSandbox) -> None:
    drs = sb.gateway().client(SCOPE)
    drs.start_recovery(source_server_ids=[sid(1)], is_drill=True, tags={})
    with pytest.raises(DrsConflictError) as conflict:
        drs.start_recovery(source_server_ids=[sid(1)], is_drill=True, tags={})
    assert conflict.value.code == "ConflictException" and conflict.value.status == 409
    with pytest.raises(DrsNotFoundError):
        drs.describe_job_log_items("drsjob-00000000000000000")
    with pytest.raises(DrsValidationError):
        drs.describe_job_log_items("not-a-job-id")  # refused by botocore before sending
    unchecked = Config(parameter_validation=False, retries={"total_max_attempts": 1})
    raw = BotoDrsClient(sb.client(config=unchecked), SCOPE)  # still model-checked
    with pytest.raises(DrsValidationError) as server_side:
        raw.describe_job_log_items("not-a-job-id")  # refused by the sandbox
    assert server_side.value.code == "ValidationException"


def test_throttling_carries_retry_after(sb: RunningSandbox) -> None:
    drs = sb.gateway().client(SCOPE)
    sb.admin("POST", "faults", {"throttle": {"DescribeJobs": 1}})
    with pytest.raises(DrsThrottlingError) as caught:
        for _ in range(3):
            drs.describe_jobs()
    assert caught.value.retry_after is not None and caught.value.retry_after >= 1
    assert caught.value.code == "ThrottlingException"


def test_unknown_key_is_access_denied_and_dead_endpoint_unavailable(sb: RunningSandbox) -> None:
    from drorch.adapters.aws.drs import SandboxAccount

    stranger = BotoDrsGateway.for_sandbox(
        sb.url, [SandboxAccount(ACCOUNT, "NOBODY", (REGION,))], on_client=sb.validate
    )
    with pytest.raises(DrsAccessDeniedError):
        stranger.ping()
    dead = BotoDrsGateway.for_sandbox(
        "http://127.0.0.1:9", [SandboxAccount(ACCOUNT, "SBXTEST", (REGION,))]
    )
    with pytest.raises(DrsUnavailableError):
        dead.ping()
    with pytest.raises(DrsUnavailableError):
        BotoDrsGateway.for_sandbox_endpoint("http://127.0.0.1:9").scopes()


def test_sync_inventory_fills_the_store_from_the_gateway(
    sb: RunningSandbox, tmp_path: Path
) -> None:
    store = SqliteStore(tmp_path / "drorch.db")
    try:
        result = sync_inventory(store=store, drs=sb.gateway())
    finally:
        store.close()
    counts = {(s["account_id"], s["region"]): s["servers"] for s in result.scopes}
    assert counts == {
        (ACCOUNT, "us-east-1"): 8,
        (ACCOUNT, "us-west-2"): 1,
        ("210987654321", "us-east-1"): 1,
    }


def test_standalone_endpoint_discovers_scopes(sb: RunningSandbox) -> None:
    gateway = BotoDrsGateway.for_sandbox_endpoint(sb.url, on_client=sb.validate)
    assert gateway.scopes() == sb.scopes()
    assert len(gateway.client(SCOPE).describe_source_servers()) == 8


# -- exact requests and codes the sandbox cannot produce (Stubber) --------------------------


def test_pagination_follows_next_token() -> None:
    drs, stub = _stubbed()
    item = {"sourceServerID": sid(1), "tags": {}}
    stub.add_response("describe_source_servers", {"items": [item], "nextToken": "t1"}, {})
    second = {**item, "sourceServerID": sid(2)}
    stub.add_response("describe_source_servers", {"items": [second]}, {"nextToken": "t1"})
    with stub:
        assert [s.id for s in drs.describe_source_servers()] == [sid(1), sid(2)]
    stub.assert_no_pending_responses()


def test_describe_jobs_splits_more_than_1000_ids() -> None:
    drs, stub = _stubbed()
    ids = [f"drsjob-{i:017d}" for i in range(1500)]
    stub.add_response("describe_jobs", {"items": []}, {"filters": {"jobIDs": ids[:1000]}})
    stub.add_response("describe_jobs", {"items": []}, {"filters": {"jobIDs": ids[1000:]}})
    with stub:
        assert drs.describe_jobs(job_ids=ids) == []
    stub.assert_no_pending_responses()


def test_start_recovery_sends_servers_drill_flag_and_tags() -> None:
    drs, stub = _stubbed()
    job = {"jobID": "drsjob-00000000000000001", "status": "PENDING", "type": "LAUNCH"}
    expected = {
        "sourceServers": [{"sourceServerID": sid(1)}, {"sourceServerID": sid(2)}],
        "isDrill": False,
        "tags": {"execution": "ex-9"},
    }
    stub.add_response("start_recovery", {"job": job}, expected)
    with stub:
        started = drs.start_recovery(
            source_server_ids=[sid(1), sid(2)], is_drill=False, tags={"execution": "ex-9"}
        )
    assert started.job_id == job["jobID"] and started.servers == ()


def test_dates_are_sent_as_utc_with_z() -> None:
    drs, stub = _stubbed()
    moment = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)
    local = moment.astimezone(__import__("datetime").timezone(timedelta(hours=2)))
    expected = {"filters": {"fromDate": "2026-03-04T05:06:07.000Z"}}
    stub.add_response("describe_jobs", {"items": []}, expected)
    with stub:
        drs.describe_jobs(from_date=local)


@pytest.mark.parametrize(
    ("code", "status", "kind"),
    [
        ("ThrottlingException", 429, DrsThrottlingError),
        ("ConflictException", 409, DrsConflictError),
        ("ServiceQuotaExceededException", 402, DrsQuotaError),
        ("ResourceNotFoundException", 404, DrsNotFoundError),
        ("ValidationException", 400, DrsValidationError),
        ("UninitializedAccountException", 400, DrsValidationError),
        ("AccessDeniedException", 403, DrsAccessDeniedError),
        ("InternalServerException", 500, DrsUnavailableError),
        ("SomethingNew", 503, DrsUnavailableError),
        ("SomethingElse", 400, DrsError),
    ],
)
def test_error_codes_map_to_drorch_errors(code: str, status: int, kind: type[DrsError]) -> None:
    drs, stub = _stubbed()
    stub.add_client_error("describe_jobs", code, "boom", http_status_code=status)
    with stub, pytest.raises(kind) as caught:
        drs.describe_jobs()
    assert type(caught.value) is kind and caught.value.code == code
    assert "boom" in caught.value.detail


@pytest.mark.parametrize(
    ("header", "low", "high"),
    [
        ("7", 7, 7),
        ("0.5", 0.5, 0.5),
        ("in 30 s", 20, 31),
        ("soon", None, None),
    ],
)
def test_retry_after_is_parsed(header: str, low: float | None, high: float | None) -> None:
    drs, stub = _stubbed()
    if header == "in 30 s":  # an HTTP date, made when the test runs
        header = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    meta: dict[str, Any] = {"HTTPHeaders": {"retry-after": header}}
    stub.add_client_error(
        "describe_jobs", "ThrottlingException", "slow down", 429, response_meta=meta
    )
    with stub, pytest.raises(DrsThrottlingError) as caught:
        drs.describe_jobs()
    if low is None:
        assert caught.value.retry_after is None
    else:
        assert caught.value.retry_after is not None and low <= caught.value.retry_after <= high


def test_aws_gateway_uses_a_session_per_account_and_region() -> None:
    made: list[str] = []

    def session_for(account: str) -> Any:
        made.append(account)
        return boto3.session.Session(aws_access_key_id="k", aws_secret_access_key="s")

    scopes = [Scope(ACCOUNT, "eu-west-1"), Scope("210987654321", "us-east-1")]
    gateway = BotoDrsGateway.for_aws(session_for, scopes)
    assert gateway.scopes() == scopes
    assert gateway.client(scopes[0]).client.meta.region_name == "eu-west-1"
    assert gateway.client(scopes[1]).scope == scopes[1]
    assert made == [ACCOUNT, "210987654321"]
    shared = BotoDrsGateway.for_aws(boto3.session.Session(region_name="us-east-1"), scopes)
    assert shared.client(scopes[0]).client.meta.region_name == "eu-west-1"


def test_iso_durations_parse_to_seconds() -> None:
    assert parse_duration("PT1H2M5S") == 3725
    assert parse_duration("P1DT1S") == 86401
    assert parse_duration("PT0.5S") == 0.5
    assert parse_duration("garbage") is None and parse_duration(None) is None


def test_real_drs_clients_never_resend_start_recovery(monkeypatch: pytest.MonkeyPatch) -> None:
    """A re-sent StartRecovery would be a second job: botocore must make one attempt only."""
    import http.server
    import threading

    hits: list[str] = []

    class Failing(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            hits.append(self.path)
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            body = b'{"message": "try again"}'
            self.send_response(503)
            self.send_header("x-amzn-ErrorType", "InternalServerException")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Failing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_DRS", f"http://127.0.0.1:{server.server_port}")
    session = boto3.session.Session(
        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret", region_name="us-east-1"
    )
    scope = Scope("111122223333", "us-east-1")
    client = BotoDrsGateway.for_aws(session, [scope]).client(scope)
    try:
        with pytest.raises(DrsUnavailableError):
            client.start_recovery(source_server_ids=["s-1234567890abcdef0"], is_drill=True, tags={})
    finally:
        server.shutdown()
    assert hits == ["/StartRecovery"]


def test_a_job_read_again_shares_the_servers_that_did_not_change() -> None:
    def item(status: str) -> dict[str, object]:
        servers = [
            {"sourceServerID": "s-1", "launchStatus": "LAUNCHED", "recoveryInstanceID": "i-1"},
            {"sourceServerID": "s-2", "launchStatus": status},
        ]
        return {"jobID": "j-1", "status": "STARTED", "participatingServers": servers}

    first, again, later = to_job(item("PENDING")), to_job(item("PENDING")), to_job(item("FAILED"))
    assert first == again and first.servers[0] is again.servers[0] is later.servers[0]
    assert later.servers[1] == JobServer("s-2", "FAILED", None)
    assert first.servers[1] == JobServer("s-2", "PENDING", None)


def test_a_job_answered_as_before_is_the_same_job_and_a_change_is_a_new_one() -> None:
    drs, stub = _stubbed()
    job_id = "drsjob-00000000000000001"

    def answer(status: str) -> dict[str, object]:
        servers = [{"sourceServerID": sid(1), "launchStatus": status}]
        return {"items": [{"jobID": job_id, "status": "STARTED", "participatingServers": servers}]}

    request = {"filters": {"jobIDs": [job_id]}}
    for status in ("IN_PROGRESS", "IN_PROGRESS", "LAUNCHED"):
        stub.add_response("describe_jobs", answer(status), request)
    with stub:
        (first,), (again,), (later,) = (drs.describe_jobs(job_ids=[job_id]) for _ in range(3))
    assert again is first and again.servers is first.servers
    assert later is not first and later.servers[0].launch_status == "LAUNCHED"


def test_a_next_token_given_back_as_it_was_sent_ends_the_listing() -> None:
    drs, stub = _stubbed()
    item = {"sourceServerID": sid(1), "tags": {}}
    stub.add_response("describe_source_servers", {"items": [item], "nextToken": "t1"}, {})
    second = {**item, "sourceServerID": sid(2)}
    stub.add_response(
        "describe_source_servers", {"items": [second], "nextToken": "t1"}, {"nextToken": "t1"}
    )
    with stub:
        assert [s.id for s in drs.describe_source_servers()] == [sid(1), sid(2)]
    stub.assert_no_pending_responses()
