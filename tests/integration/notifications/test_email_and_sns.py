"""The email channel against a local SMTP sink, the SNS channel against moto server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message

import boto3
import pytest

from drorch.adapters.aws.sts import StsSessions
from drorch.domain.notifications import (
    ChannelDraft,
    DeliveryStatus,
    EmailConfig,
    EventKind,
    SnsConfig,
)
from drorch.services import notification_setup as setup
from tests.integration.notifications.conftest import PUBLIC_URL, Notify
from tests.support.moto_server import REGION, RunningMoto, running_moto
from tests.support.receivers import smtp_sink

PASSWORD = "smtp-pass-7f3a9c"
# aiosmtpd warns that AUTH without TLS is unsafe: true, and fine on 127.0.0.1.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def email_channel(notify: Notify, port: int, password: str) -> str:
    """An email channel to the sink, signing in as `drorch`."""
    config = EmailConfig(
        host="127.0.0.1",
        port=port,
        tls="none",
        sender="drorch@example.org",
        recipients=["oncall@example.org", "dr@example.org"],
        username="drorch",
    )
    draft = ChannelDraft(name=f"mail-{port}", config=config)
    return setup.create_channel(store=notify.store, draft=draft, password=password).channel.id


def test_email_arrives_after_signing_in_with_the_channel_password(notify: Notify) -> None:
    web = notify.plan("web")
    with smtp_sink(username="drorch", password=PASSWORD) as sink:
        channel_id = email_channel(notify, sink.port, PASSWORD)
        notify.subscribe(channel_id, EventKind.EXECUTION_FAILED, plan_id=web)
        notify.raise_(EventKind.EXECUTION_FAILED, web)
        sent = notify.dispatcher().run_once().sent
        mails = sink.mails
    assert [d.status for d in sent] == [DeliveryStatus.DELIVERED]
    assert sent[0].attempts[0].status_code == 250
    assert len(mails) == 1 and mails[0].login == "drorch"
    assert sorted(mails[0].recipients) == ["dr@example.org", "oncall@example.org"]
    mail: Message = message_from_bytes(mails[0].content)
    assert mail["Subject"] == "drorch: DRILL ex-1 of plan 'web' failed"
    assert mail["X-Drorch-Event"] == "execution.failed"
    body = mail.get_payload(decode=True)
    assert isinstance(body, bytes)
    assert f"{PUBLIC_URL}/executions/ex-1" in body.decode()
    assert "wave db failed" in body.decode()


def test_a_refused_login_is_recorded_without_the_password(notify: Notify) -> None:
    with smtp_sink(username="drorch", password=PASSWORD) as sink:
        channel_id = email_channel(notify, sink.port, "not-the-password")
        tested = setup.send_test(
            store=notify.store, sender=notify.dispatcher(), channel_id=channel_id
        )
        assert sink.mails == []
    assert tested.status is DeliveryStatus.FAILED  # a test is tried once, at once
    attempt = tested.attempts[0]
    assert attempt.status_code == 535 and "not-the-password" not in (attempt.error or "")


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningMoto]:
    """moto server on 127.0.0.1 for the module."""
    with running_moto(tmp_path_factory.mktemp("moto")) as running:
        yield running


def topic_with_queue(moto: RunningMoto, name: str) -> tuple[str, str]:
    """An SNS topic whose messages land in an SQS queue (raw delivery): (topic ARN, queue URL)."""
    sns, sqs = moto.client("sns"), moto.client("sqs")
    topic = sns.create_topic(Name=name)["TopicArn"]
    queue = sqs.create_queue(QueueName=f"{name}-q")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        Endpoint=queue_arn["Attributes"]["QueueArn"],
        Attributes={"RawMessageDelivery": "false"},
    )
    return topic, queue


def moto_sessions() -> StsSessions:
    """The session provider with a hub session holding moto's fake keys."""
    hub = boto3.session.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    return StsSessions(hub=hub, region=REGION)


def test_sns_publishes_the_document_to_the_topic(notify: Notify, moto: RunningMoto) -> None:
    web = notify.plan("web")
    topic, queue = topic_with_queue(moto, "drorch-ops")
    draft = ChannelDraft(name="sns", config=SnsConfig(topic_arn=topic))
    channel_id = setup.create_channel(store=notify.store, draft=draft).channel.id
    notify.subscribe(channel_id, EventKind.EXECUTION_FAILED)
    notify.raise_(EventKind.EXECUTION_FAILED, web)
    dispatcher = notify.dispatcher(sns_endpoint_url=moto.url, sessions=moto_sessions())
    sent = dispatcher.run_once().sent
    assert [d.status for d in sent] == [DeliveryStatus.DELIVERED]
    got = moto.client("sqs").receive_message(QueueUrl=queue, WaitTimeSeconds=1)["Messages"]
    envelope = json.loads(got[0]["Body"])
    assert envelope["TopicArn"] == topic
    assert envelope["Subject"] == "drorch: DRILL ex-1 of plan 'web' failed"
    document = json.loads(envelope["Message"])
    assert document["id"] == sent[0].id and document["kind"] == "execution.failed"
    assert envelope["MessageAttributes"]["kind"]["Value"] == "execution.failed"


def test_sns_to_a_missing_topic_is_a_recorded_failure(notify: Notify, moto: RunningMoto) -> None:
    missing = f"arn:aws:sns:{REGION}:123456789012:no-such-topic"
    draft = ChannelDraft(name="gone", config=SnsConfig(topic_arn=missing))
    channel_id = setup.create_channel(store=notify.store, draft=draft).channel.id
    dispatcher = notify.dispatcher(sns_endpoint_url=moto.url, sessions=moto_sessions())
    tested = setup.send_test(store=notify.store, sender=dispatcher, channel_id=channel_id)
    assert tested.status is DeliveryStatus.FAILED
    assert "NotFound" in (tested.attempts[0].error or "")
