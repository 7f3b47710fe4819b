"""Every implemented DRS operation through the unmodified boto3 client, over HTTP."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.support.drs_model import attach_validator
from tests.support.sandbox import (
    ACCOUNT,
    DR_REGION,
    NO_RETRY,
    OTHER_ACCOUNT,
    RunningSandbox,
    sid,
)


def _code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def test_describe_source_servers_lists_the_scope_and_filters(drs: Any) -> None:
    items = drs.describe_source_servers()["items"]
    assert [i["sourceServerID"] for i in items] == [sid(n) for n in range(1, 9)]
    first = items[0]
    assert first["arn"] == f"arn:aws:drs:us-east-1:{ACCOUNT}:source-server/{sid(1)}"
    assert first["sourceProperties"]["identificationHints"]["hostname"] == "lin-1"
    assert first["dataReplicationInfo"]["dataReplicationState"] == "CONTINUOUS"
    assert first["lastLaunchResult"] == "NOT_STARTED"
    picked = drs.describe_source_servers(filters={"sourceServerIDs": [sid(2), sid(5)]})
    assert [i["sourceServerID"] for i in picked["items"]] == [sid(2), sid(5)]
    windows = picked["items"][1]["sourceProperties"]["os"]["fullString"]
    assert "Windows" in windows


def test_account_comes_from_the_access_key_and_region_from_the_scope(sb: RunningSandbox) -> None:
    west = sb.client(ACCOUNT, DR_REGION).describe_source_servers()["items"]
    other = sb.client(OTHER_ACCOUNT, "us-east-1").describe_source_servers()["items"]
    assert [i["sourceServerID"] for i in west] == [sid(9)]
    assert [i["sourceServerID"] for i in other] == [sid(10)]


def test_unknown_access_key_is_access_denied_and_unknown_region_uninitialized(
    sb: RunningSandbox,
) -> None:
    stranger = _client(sb, "NOBODY", "us-east-1")
    with pytest.raises(ClientError) as denied:
        stranger.describe_jobs()
    assert _code(denied) == "AccessDeniedException"
    assert denied.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    elsewhere = sb.client(ACCOUNT, "eu-central-1")
    with pytest.raises(elsewhere.exceptions.UninitializedAccountException):
        elsewhere.describe_jobs()


def test_a_fleet_account_id_works_as_its_own_access_key(sb: RunningSandbox) -> None:
    items = _client(sb, OTHER_ACCOUNT, "us-east-1").describe_source_servers()["items"]
    assert [i["sourceServerID"] for i in items] == [sid(10)]


def _client(sb: RunningSandbox, key: str, region: str) -> Any:
    session = boto3.session.Session(
        aws_access_key_id=key, aws_secret_access_key="x", region_name=region
    )
    client = session.client("drs", endpoint_url=sb.url, config=NO_RETRY)
    return attach_validator(client, sb.validated)


def test_start_recovery_describe_jobs_and_log_items(sb: RunningSandbox, drs: Any) -> None:
    job = drs.start_recovery(sourceServers=[{"sourceServerID": sid(1)}], isDrill=True)["job"]
    assert job["status"] == "PENDING" and job["initiatedBy"] == "START_DRILL"
    assert (
        drs.describe_jobs(filters={"jobIDs": [job["jobID"]]})["items"][0]["jobID"] == job["jobID"]
    )
    sb.advance(60)
    events = [i["event"] for i in drs.describe_job_log_items(jobID=job["jobID"])["items"]]
    assert events[:2] == ["JOB_START", "SNAPSHOT_START"]


def test_describe_jobs_filters_by_creation_date(sb: RunningSandbox, drs: Any) -> None:
    first = drs.start_recovery(sourceServers=[{"sourceServerID": sid(1)}])["job"]
    sb.advance(3600)
    second = drs.start_recovery(sourceServers=[{"sourceServerID": sid(2)}])["job"]
    later = drs.describe_jobs(filters={"fromDate": second["creationDateTime"]})["items"]
    earlier = drs.describe_jobs(filters={"toDate": first["creationDateTime"]})["items"]
    assert [j["jobID"] for j in later] == [second["jobID"]]
    assert [j["jobID"] for j in earlier] == [first["jobID"]]


def test_recovery_instances_filters_and_terminate(sb: RunningSandbox, drs: Any) -> None:
    drs.start_recovery(sourceServers=[{"sourceServerID": sid(1)}, {"sourceServerID": sid(2)}])
    sb.advance(900)
    both = drs.describe_recovery_instances()["items"]
    one = drs.describe_recovery_instances(filters={"sourceServerIDs": [sid(2)]})["items"]
    assert len(both) == 2 and [i["sourceServerID"] for i in one] == [sid(2)]
    by_id = drs.describe_recovery_instances(
        filters={"recoveryInstanceIDs": [one[0]["recoveryInstanceID"]]}
    )["items"]
    assert by_id == one
    job = drs.terminate_recovery_instances(recoveryInstanceIDs=[one[0]["recoveryInstanceID"]])
    assert job["job"]["type"] == "TERMINATE"
    sb.advance(300)
    assert [i["sourceServerID"] for i in drs.describe_recovery_instances()["items"]] == [sid(1)]


def test_launch_configuration_get_and_update(drs: Any) -> None:
    config = drs.get_launch_configuration(sourceServerID=sid(1))
    assert config["sourceServerID"] == sid(1) and config["copyTags"] is True
    updated = drs.update_launch_configuration(
        sourceServerID=sid(1), copyPrivateIp=True, licensing={"osByol": True}
    )
    assert updated["copyPrivateIp"] is True and updated["licensing"] == {"osByol": True}
    assert drs.get_launch_configuration(sourceServerID=sid(1))["copyPrivateIp"] is True
    with pytest.raises(drs.exceptions.ResourceNotFoundException):
        drs.get_launch_configuration(sourceServerID=sid(99))


def test_recovery_snapshots_order_and_time_filters(drs: Any) -> None:
    asc = drs.describe_recovery_snapshots(sourceServerID=sid(1))["items"]
    desc = drs.describe_recovery_snapshots(sourceServerID=sid(1), order="DESC")["items"]
    assert asc and desc == list(reversed(asc))
    middle = asc[len(asc) // 2]["expectedTimestamp"]
    newer = drs.describe_recovery_snapshots(
        sourceServerID=sid(1), filters={"fromDateTime": middle}
    )["items"]
    assert newer == asc[len(asc) // 2 :]
    assert drs.describe_recovery_snapshots(sourceServerID=sid(8))["items"] == []


def test_tags_on_servers_jobs_and_instances(sb: RunningSandbox, drs: Any) -> None:
    server_arn = drs.describe_source_servers()["items"][0]["arn"]
    drs.tag_resource(resourceArn=server_arn, tags={"Owner": "ops"})
    drs.untag_resource(resourceArn=server_arn, tagKeys=["Tier"])
    assert drs.list_tags_for_resource(resourceArn=server_arn)["tags"] == {"Owner": "ops"}
    job = drs.start_recovery(sourceServers=[{"sourceServerID": sid(1)}], tags={"a": "1"})["job"]
    drs.tag_resource(resourceArn=job["arn"], tags={"b": "2"})
    assert drs.describe_jobs()["items"][0]["tags"] == {"a": "1", "b": "2"}
    sb.advance(900)
    inst = drs.describe_recovery_instances()["items"][0]
    assert drs.list_tags_for_resource(resourceArn=inst["arn"])["tags"] == {"Owner": "ops"}
    other = f"arn:aws:drs:us-east-1:{OTHER_ACCOUNT}:source-server/{sid(10)}"
    with pytest.raises(drs.exceptions.ResourceNotFoundException):
        drs.list_tags_for_resource(resourceArn=other)


def test_unknown_ids_are_resource_not_found(drs: Any) -> None:
    with pytest.raises(drs.exceptions.ResourceNotFoundException):
        drs.describe_job_log_items(jobID="drsjob-00000000000000000")
    with pytest.raises(drs.exceptions.ResourceNotFoundException):
        drs.start_recovery(sourceServers=[{"sourceServerID": sid(99)}])
    with pytest.raises(drs.exceptions.ResourceNotFoundException):
        drs.terminate_recovery_instances(recoveryInstanceIDs=["i-00000000000000001"])
    assert drs.describe_jobs(filters={"jobIDs": ["drsjob-00000000000000000"]})["items"] == []


def test_operations_the_sandbox_lacks_answer_a_clear_error(drs: Any) -> None:
    with pytest.raises(ClientError) as caught:
        drs.describe_launch_configuration_templates()
    assert _code(caught) == "ValidationException"
    assert "DescribeLaunchConfigurationTemplates" in caught.value.response["Error"]["Message"]
    assert caught.value.response["reason"] == "unknownOperation"


def test_stats_count_calls_per_operation_and_launches_per_server(
    sb: RunningSandbox, drs: Any
) -> None:
    drs.describe_jobs()
    drs.describe_jobs()
    drs.start_recovery(sourceServers=[{"sourceServerID": sid(3)}])
    assert sb.stats() == {
        "calls": {"DescribeJobs": 2, "StartRecovery": 1},
        "launches": {sid(3): 1},
    }
