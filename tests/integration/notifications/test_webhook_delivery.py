"""Webhook deliveries: signed, retried with backoff, recorded per attempt, never sent twice."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest

from drorch.adapters.storage.sqlite import SqliteStore
from drorch.domain.notifications import DeliveryStatus, EventKind, Subject
from drorch.domain.webhook_signature import verify
from drorch.ports.store import DeliveryQuery
from drorch.services.notifications import raise_event
from tests.integration.notifications.conftest import PUBLIC_URL, Notify
from tests.support.receivers import webhook_receiver

K = EventKind


def deliveries(notify: Notify, **filters: Any) -> list[Any]:
    with notify.store.read() as uow:
        return uow.notifications.deliveries(DeliveryQuery(limit=500, **filters)).items


def test_a_subscribed_event_arrives_signed_with_a_link_to_the_execution(notify: Notify) -> None:
    web, other = notify.plan("web"), notify.plan("other")
    with webhook_receiver() as hook:
        saved = notify.webhook(hook.url)
        notify.subscribe(saved.channel.id, K.EXECUTION_FAILED, plan_id=web)
        notify.subscribe(saved.channel.id, K.EXECUTION_STARTED)  # every plan
        assert notify.raise_(K.EXECUTION_FAILED, web) == 1
        assert notify.raise_(K.EXECUTION_FAILED, other) == 0  # not that plan's subscriber
        assert notify.raise_(K.EXECUTION_COMPLETED, web) == 0  # not a subscribed event
        assert notify.raise_(K.EXECUTION_STARTED, other, subject_id="ex-2") == 1
        sent = notify.dispatcher().run_once().sent
        assert len(hook.requests) == 2 == len(sent)
    first = hook.requests[0]
    secret = saved.new_secret
    assert secret and secret.startswith("whsec_")
    headers = first.headers
    assert verify(
        secret,
        headers["x-drorch-timestamp"],
        first.body,
        headers["x-drorch-signature"],
        now=time.time(),
    )
    assert not verify(
        "whsec_wrong",
        headers["x-drorch-timestamp"],
        first.body,
        headers["x-drorch-signature"],
        now=time.time(),
    )
    assert not verify(
        secret,
        headers["x-drorch-timestamp"],
        first.body + b" ",
        headers["x-drorch-signature"],
        now=time.time(),
    )
    document = first.json()
    assert headers["x-drorch-event"] == document["kind"] == "execution.failed"
    assert document["link"] == f"{PUBLIC_URL}/executions/ex-1"
    assert document["subject"]["plan_id"] == web
    assert "DRILL ex-1 of plan 'web' failed" in document["title"]
    assert headers["x-drorch-delivery"] == document["id"]
    stored = deliveries(notify, subject_id="ex-1")
    assert [d.status for d in stored] == [DeliveryStatus.DELIVERED]
    assert [(a.n, a.ok, a.status_code) for a in stored[0].attempts] == [(1, True, 200)]


def test_failures_are_retried_with_doubling_delays_until_delivered(notify: Notify) -> None:
    web = notify.plan("web")
    with webhook_receiver(answers=[500, 503]) as hook:
        saved = notify.webhook(hook.url)
        notify.subscribe(saved.channel.id, K.EXECUTION_FAILED)
        notify.raise_(K.EXECUTION_FAILED, web)
        dispatcher = notify.dispatcher()
        first = dispatcher.run_once().sent[0]
        assert first.status is DeliveryStatus.RETRYING
        assert first.next_attempt_at == notify.clock.now() + _s(10)
        assert dispatcher.run_once().sent == []  # not due yet
        notify.clock.advance(10)
        second = dispatcher.run_once().sent[0]
        assert second.next_attempt_at == notify.clock.now() + _s(20)
        notify.clock.advance(20)
        third = dispatcher.run_once().sent[0]
        assert third.status is DeliveryStatus.DELIVERED
        assert len(hook.requests) == 3
        assert len(set(hook.delivery_ids())) == 1  # one delivery, three attempts
    stored = deliveries(notify)[0]
    assert [(a.ok, a.status_code) for a in stored.attempts] == [
        (False, 500),
        (False, 503),
        (True, 200),
    ]
    assert "HTTP 500" in (stored.attempts[0].error or "")
    assert stored.delivered_at == notify.clock.now()


def test_a_receiver_that_never_answers_well_is_given_up_after_the_last_attempt(
    notify: Notify,
) -> None:
    web = notify.plan("web")
    with webhook_receiver(answers=[500] * 10) as hook:
        saved = notify.webhook(hook.url)
        notify.subscribe(saved.channel.id, K.EXECUTION_FAILED)
        notify.raise_(K.EXECUTION_FAILED, web)
        dispatcher = notify.dispatcher()
        for _ in range(5):
            dispatcher.run_once()
            notify.clock.advance(3600)
        assert len(hook.requests) == 3  # notify_max_attempts
    stored = deliveries(notify, status="FAILED")
    assert len(stored) == 1 and len(stored[0].attempts) == 3
    assert stored[0].next_attempt_at is None


def test_an_unreachable_receiver_is_a_recorded_failure(notify: Notify) -> None:
    web = notify.plan("web")
    with webhook_receiver() as hook:
        url = hook.url  # nobody listens there once the receiver stops
    saved = notify.webhook(url)
    notify.subscribe(saved.channel.id, K.EXECUTION_FAILED)
    notify.raise_(K.EXECUTION_FAILED, web)
    sent = notify.dispatcher().run_once().sent
    attempt = sent[0].attempts[0]
    assert not attempt.ok and attempt.status_code is None
    assert "ConnectError" in (attempt.error or "") and "/hook" not in (attempt.error or "")


def test_two_dispatchers_never_send_one_notification_twice(notify: Notify) -> None:
    web = notify.plan("web")
    with webhook_receiver() as hook:
        saved = notify.webhook(hook.url)
        notify.subscribe(saved.channel.id, K.EXECUTION_FAILED)
        for i in range(30):
            notify.raise_(K.EXECUTION_FAILED, web, subject_id=f"ex-{i}")
        second_store = SqliteStore(notify.path)
        workers = [notify.dispatcher("w1"), notify.dispatcher("w2", store=second_store)]
        sent: dict[str, list[str]] = {}
        threads = [
            threading.Thread(
                target=lambda d=d: sent.setdefault(d.owner, [s.id for s in d.deliver_due()])
            )
            for d in workers
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        second_store.close()
        ids = hook.delivery_ids()
    assert len(ids) == 30 == len(set(ids))
    assert sorted(sent["w1"] + sent["w2"]) == sorted(ids)
    assert all(d.status is DeliveryStatus.DELIVERED for d in deliveries(notify))


def test_raising_twice_with_one_key_or_in_a_rolled_back_change_queues_once(
    notify: Notify,
) -> None:
    web = notify.plan("web")
    saved = notify.webhook("http://127.0.0.1:9/none")
    notify.subscribe(saved.channel.id, K.EXECUTION_FAILED)
    notify.subscribe(saved.channel.id, K.EXECUTION_FAILED, plan_id=web)  # same channel twice
    assert notify.raise_(K.EXECUTION_FAILED, web, key="k1") == 1
    assert notify.raise_(K.EXECUTION_FAILED, web, key="k1") == 0
    subject = Subject(type="execution", id="ex-9", plan_id=web)
    with pytest.raises(RuntimeError), notify.store.transaction() as uow:
        queued = raise_event(
            uow, kind=K.EXECUTION_FAILED, subject=subject, payload={}, at=notify.clock.now()
        )
        assert len(queued) == 1
        raise RuntimeError("the use case failed after raising")
    assert len(deliveries(notify)) == 1


def test_disabled_subscriptions_and_channels_queue_nothing(notify: Notify) -> None:
    web = notify.plan("web")
    quiet = notify.webhook("http://127.0.0.1:9/a", name="quiet")
    notify.subscribe(quiet.channel.id, K.EXECUTION_FAILED, enabled=False)
    assert notify.raise_(K.EXECUTION_FAILED, web) == 0


def _s(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)
