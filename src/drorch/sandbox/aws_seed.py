"""The demo's AWS resources in the embedded moto, for the two example runbook plans.

The bookings platform fails over from its primary Region to its standby one: a bookings
table (PITR on) in the standby Region to restore, a hosted zone whose `api.` record points
at the primary, a Lambda function with an alias to roll back, and a CloudFront
distribution to invalidate. The gift tracker repairs corrupted data: a gifts table (PITR
on), a REST API with a `prod` stage to stop and resume, and an SSM Automation document
(in the sandbox, which answers Automation) that checks the restored table.
"""

from __future__ import annotations

import io
import time
import zipfile
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from drorch.sandbox.aws_moto import tag_account
from drorch.sandbox.ssm import AutomationDocument, SsmAutomations

NO_RETRY = Config(retries={"total_max_attempts": 1, "mode": "standard"})
BOOKINGS_TABLE = "bookings"
GIFTS_TABLE = "gifts"
ZONE_NAME = "bookings.example.com"
API_RECORD = f"api.{ZONE_NAME}"
PRIMARY_ENDPOINT = "api-primary.bookings.example.com"
STANDBY_ENDPOINT = "api-standby.bookings.example.com"
FUNCTION = "bookings-api"
ALIAS = "live"
GIFT_API = "gift-tracker"
STAGE = "prod"
VERIFY_DOCUMENT = "drorch-demo-VerifyRestoredTable"
ROLE = "drorch-demo-lambda"
# The tables the example plans restore into (a restore always makes a new table).
BOOKINGS_RESTORED = "bookings-restored"
GIFTS_RESTORED = "gifts-restored"


@dataclass(frozen=True)
class Seeded:
    """The ids moto gave the seeded resources (plans name them in their action params)."""

    account_id: str
    primary_region: str
    standby_region: str
    zone_id: str
    distribution_id: str
    rest_api_id: str
    url: str = ""  # where moto answers (the sandbox's standby API reads the standby table there)
    seeded_at: float = 0.0  # epoch seconds: the gift tracker restores to this point in time
    bookings_table: str = BOOKINGS_TABLE
    bookings_restored: str = BOOKINGS_RESTORED
    gifts_table: str = GIFTS_TABLE
    gifts_restored: str = GIFTS_RESTORED
    api_record: str = API_RECORD
    primary_endpoint: str = PRIMARY_ENDPOINT
    standby_endpoint: str = STANDBY_ENDPOINT
    stage: str = STAGE
    verify_document: str = VERIFY_DOCUMENT


def seed(
    url: str, account_id: str, primary: str, standby: str, ssm: SsmAutomations | None = None
) -> Seeded:
    """Create every demo resource in moto at `url` as `account_id`; returns their ids."""
    aws = _Clients(url, account_id)
    for region in (primary, standby):
        _table(aws.client("dynamodb", region), BOOKINGS_TABLE, [f"b-{i:03d}" for i in range(5)])
    _table(aws.client("dynamodb", primary), GIFTS_TABLE, [f"g-{i:03d}" for i in range(5)])
    _function(aws, primary)
    if ssm is not None:
        ssm.register(
            AutomationDocument(VERIFY_DOCUMENT, seconds=60, description="Count restored items.")
        )
    return Seeded(
        account_id=account_id,
        primary_region=primary,
        standby_region=standby,
        zone_id=_zone(aws.client("route53", primary)),
        distribution_id=_distribution(aws.client("cloudfront", primary)),
        rest_api_id=_rest_api(aws.client("apigateway", primary)),
        url=url,
        seeded_at=time.time(),
    )


def seed_fleet(url: str, sandbox: Any) -> Seeded:
    """Seed moto for the fleet's first account: its first Region primary, its last standby."""
    account = sandbox.fleet.accounts[0].id
    regions = sandbox.fleet.account_regions()[account]
    found = seed(url, account, regions[0], regions[-1], sandbox.ssm)
    sandbox.aws_seeded = found  # the ids plans name (the demo's example plans read them)
    return found


def clients(url: str, account_id: str) -> _Clients:
    """boto3 clients speaking to moto at `url` as `account_id`."""
    return _Clients(url, account_id)


class _Clients:
    def __init__(self, url: str, account_id: str) -> None:
        self._url = url
        self._account = account_id

    def client(self, service: str, region: str) -> Any:
        session = boto3.session.Session(
            aws_access_key_id="sandbox", aws_secret_access_key="sandbox", region_name=region
        )
        made = session.client(service, endpoint_url=self._url, config=NO_RETRY)
        return tag_account(made, self._account)


def _table(db: Any, name: str, keys: list[str]) -> None:
    db.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for key in keys:
        db.put_item(TableName=name, Item={"pk": {"S": key}, "status": {"S": "confirmed"}})
    db.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )


def _zone(r53: Any) -> str:
    made = r53.create_hosted_zone(Name=ZONE_NAME, CallerReference="drorch-demo-zone")
    zone_id = str(made["HostedZone"]["Id"]).split("/")[-1]
    record = {
        "Name": f"{API_RECORD}.",
        "Type": "CNAME",
        "TTL": 60,
        "ResourceRecords": [{"Value": PRIMARY_ENDPOINT}],
    }
    r53.change_resource_record_sets(
        HostedZoneId=zone_id,
        ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": record}]},
    )
    return zone_id


def _code(version: int) -> bytes:
    """A tiny handler zip (moto stores the code; without docker it echoes each event)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        body = f"def handler(event, context):\n    return {{'version': {version}}}\n"
        archive.writestr("index.py", body)
    return buf.getvalue()


def _function(aws: _Clients, region: str) -> None:
    role = aws.client("iam", region).create_role(
        RoleName=ROLE, AssumeRolePolicyDocument='{"Version": "2012-10-17", "Statement": []}'
    )
    lam = aws.client("lambda", region)
    lam.create_function(
        FunctionName=FUNCTION,
        Runtime="python3.12",
        Role=role["Role"]["Arn"],
        Handler="index.handler",
        Code={"ZipFile": _code(1)},
        Publish=True,
    )
    lam.update_function_code(FunctionName=FUNCTION, ZipFile=_code(2))
    lam.publish_version(FunctionName=FUNCTION)
    lam.create_alias(FunctionName=FUNCTION, Name=ALIAS, FunctionVersion="2")


def _distribution(cloudfront: Any) -> str:
    origin = {
        "Id": "bookings-web",
        "DomainName": PRIMARY_ENDPOINT,
        "CustomOriginConfig": {
            "HTTPPort": 80,
            "HTTPSPort": 443,
            "OriginProtocolPolicy": "https-only",
        },
    }
    config = {
        "CallerReference": "drorch-demo-cdn",
        "Comment": "bookings web",
        "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": {
            "TargetOriginId": "bookings-web",
            "ViewerProtocolPolicy": "redirect-to-https",
            "MinTTL": 0,
        },
    }
    made = cloudfront.create_distribution(DistributionConfig=config)
    return str(made["Distribution"]["Id"])


def _rest_api(gw: Any) -> str:
    api = str(gw.create_rest_api(name=GIFT_API)["id"])
    root = gw.get_resources(restApiId=api)["items"][0]["id"]
    gw.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    gw.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK")
    deployment = gw.create_deployment(restApiId=api)["id"]
    gw.create_stage(restApiId=api, stageName=STAGE, deploymentId=deployment)
    limits = [
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "100"},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "50"},
    ]
    gw.update_stage(restApiId=api, stageName=STAGE, patchOperations=limits)
    return api
