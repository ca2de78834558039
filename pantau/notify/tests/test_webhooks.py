"""Webhooks against a real HTTP server on 127.0.0.1: signed, retried with back-off, off the
request path."""

import hashlib
import hmac
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from pantau.notify import tasks, webhooks
from pantau.notify.models import Webhook, WebhookDelivery
from pantau.notify.service import notify
from pantau.notify.tests.test_notify import problem_like

pytestmark = pytest.mark.django_db

START = datetime(2024, 11, 26, 1, 0, tzinfo=UTC)  # 08:00 WIB on the eve of voting day


def escalate(users, capture, usernames=("camat-tongas",), **extra):
    with capture(execute=True):
        notify(
            [users[u] for u in usernames],
            event="escalate",
            title="Masalah dieskalasi",
            body="Baliho paslon di depan TPS 003",
            url="/masalah/12/",
            **extra,
        )


def expected_signature(secret: str, headers: dict, body: bytes) -> str:
    """The signature as a gateway author computes it from the documentation, with hmac only."""
    message = headers["X-Pantau-Timestamp"].encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def test_it_posts_signed_json_to_the_users_gateway(
    users, gateway, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://pantau.example.go.id"
    server = gateway()
    hook = Webhook.objects.create(user=users["camat-tongas"], url=server.url)
    escalate(users, django_capture_on_commit_callbacks, problem=problem_like(), payload={"x": 1})

    assert len(server.requests) == 1
    request = server.requests[0]
    headers, body = request["headers"], request["body"]
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Pantau-Event"] == "escalate"
    delivery = WebhookDelivery.objects.get()
    assert headers["X-Pantau-Delivery"] == str(delivery.pk)
    assert abs(int(headers["X-Pantau-Timestamp"]) - time.time()) < 60
    assert headers["X-Pantau-Signature"] == expected_signature(hook.secret, headers, body)
    assert webhooks.verify_signature(
        hook.secret, headers["X-Pantau-Timestamp"], body, headers["X-Pantau-Signature"]
    )
    data = server.json()
    assert data["event"] == "escalate" and data["title"] == "Masalah dieskalasi"
    assert data["body"] == "Baliho paslon di depan TPS 003"
    assert data["url"] == "https://pantau.example.go.id/masalah/12/"
    assert data["recipients"] == ["camat-tongas"] and data["x"] == 1
    assert data["problem"] == {
        "id": 12,
        "title": "Baliho paslon di depan TPS 003",
        "status": "baru",
        "level": "kecamatan",
        "severity": "tinggi",
        "region": "35.13.12",
    }
    assert datetime.fromisoformat(data["sent_at"]).tzinfo is not None
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, "")
    assert delivery.sent_at is not None and delivery.next_attempt_at is None


def test_a_signature_with_another_secret_body_or_old_timestamp_is_refused():
    body, now = b'{"event":"escalate"}', 1_732_608_900
    good = webhooks.sign("rahasia", now, body)
    assert webhooks.verify_signature("rahasia", str(now), body, good, now=now + 10)
    assert not webhooks.verify_signature("lain", str(now), body, good, now=now)
    assert not webhooks.verify_signature("rahasia", str(now), body + b" ", good, now=now)
    assert not webhooks.verify_signature("rahasia", str(now + 1), body, good, now=now)
    assert not webhooks.verify_signature("rahasia", str(now), body, good, now=now + 3600)
    assert webhooks.verify_signature("rahasia", now, body, good, max_age=None, now=now + 3600)
    assert not webhooks.verify_signature("rahasia", "kemarin", body, good, now=now)


def test_the_back_off_grows_from_30_seconds_to_about_2_hours():
    delays = [webhooks.retry_delay(n) for n in range(1, webhooks.MAX_ATTEMPTS)]
    assert delays == [30, 120, 480, 1920, 7680]


def test_a_gateway_that_fails_twice_gets_it_on_the_third_attempt(
    users, gateway, django_capture_on_commit_callbacks, run_scheduled
):
    server = gateway(statuses=[500, 500])
    hook = Webhook.objects.create(user=users["camat-tongas"], url=server.url)
    etas = []
    with time_machine.travel(START, tick=False) as traveller:
        escalate(users, django_capture_on_commit_callbacks)  # attempt 1, through Huey
        delivery = WebhookDelivery.objects.get()
        assert (delivery.status, delivery.attempts) == ("pending", 1)
        assert delivery.last_error.startswith("HTTP 500")
        assert delivery.next_attempt_at == START + timedelta(seconds=30)
        while scheduled := run_scheduled(traveller):  # the consumer runs each retry at its eta
            etas += [task.eta.replace(tzinfo=UTC) for task in scheduled]

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 3)
    times = [START, *etas]
    assert [(b - a).total_seconds() for a, b in zip(times, times[1:], strict=False)] == [30, 120]
    assert len(server.requests) == 3
    # Every attempt carries the same delivery id and its own valid signature.
    assert {r["headers"]["X-Pantau-Delivery"] for r in server.requests} == {str(delivery.pk)}
    for r in server.requests:
        assert r["headers"]["X-Pantau-Signature"] == expected_signature(
            hook.secret, r["headers"], r["body"]
        )


def test_a_gateway_that_always_fails_is_given_up_after_6_attempts(users, gateway):
    server = gateway(statuses=[503] * 10)
    Webhook.objects.create(agency=users["bawaslu"].agency, url=server.url)
    notify([users["bawaslu"]], event="refer", title="Masalah dirujuk ke Bawaslu")
    delivery = WebhookDelivery.objects.select_related("webhook").get()
    waits = []
    with time_machine.travel(START, tick=False) as traveller:
        while delivery.status == "pending":  # the plain function, without the queue
            assert webhooks.attempt_delivery(delivery) is False
            if delivery.next_attempt_at:
                waits.append((delivery.next_attempt_at - timezone.now()).total_seconds())
                traveller.move_to(delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("failed", 6)
    assert delivery.last_error.startswith("HTTP 503") and delivery.next_attempt_at is None
    assert waits == [30, 120, 480, 1920, 7680]
    assert len(server.requests) == 6
    # A failed delivery is left alone afterwards.
    assert webhooks.attempt_delivery(delivery) is False and len(server.requests) == 6


def test_the_task_stops_rescheduling_after_the_last_attempt(users, gateway, run_scheduled):
    server = gateway(statuses=[500] * 10)
    Webhook.objects.create(user=users["camat-tongas"], url=server.url)
    notify([users["camat-tongas"]], event="overdue", title="Tenggat terlewati")
    delivery = WebhookDelivery.objects.get()
    tasks.deliver_webhook(delivery.pk)
    rounds = 0
    while run_scheduled():
        rounds += 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, rounds) == ("failed", 6, 5)
    assert len(server.requests) == 6


def test_an_unreachable_gateway_is_recorded_and_retried(users, django_capture_on_commit_callbacks):
    from pantau.conftest import free_port

    Webhook.objects.create(user=users["camat-tongas"], url=f"http://127.0.0.1:{free_port()}/")
    escalate(users, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert "refused" in delivery.last_error.lower()


def test_a_redirect_is_a_failure_not_followed(users, gateway, django_capture_on_commit_callbacks):
    server = gateway(statuses=[302])
    Webhook.objects.create(user=users["camat-tongas"], url=server.url)
    escalate(users, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.last_error.startswith("HTTP 302")
    assert len(server.requests) == 1


def test_the_agency_webhook_fires_for_the_agencys_account(
    users, gateway, django_capture_on_commit_callbacks
):
    bawaslu = users["bawaslu"]
    server, other = gateway(), gateway()
    Webhook.objects.create(agency=bawaslu.agency, url=server.url)
    Webhook.objects.create(user=users["camat-paiton"], url=other.url)  # not concerned
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            [bawaslu, users["camat-tongas"]],
            event="refer",
            title="Masalah dirujuk ke Bawaslu",
            url="/masalah/12/",
        )
    assert len(server.requests) == 1 and other.requests == []
    assert server.json()["recipients"] == ["bawaslu"]
    assert server.json()["event"] == "refer"


def test_one_delivery_per_webhook_however_many_recipients_share_it(users, gateway):
    agency = users["bawaslu"].agency
    colleague = type(users["bawaslu"]).objects.create(username="bawaslu-2", agency=agency)
    server = gateway()
    Webhook.objects.create(agency=agency, url=server.url)
    notify([users["bawaslu"], colleague], event="refer", title="Masalah dirujuk")
    delivery = WebhookDelivery.objects.get()
    assert sorted(delivery.payload["recipients"]) == ["bawaslu", "bawaslu-2"]


def test_webhooks_get_only_the_events_they_ask_for_and_only_while_active(users):
    camat = users["camat-tongas"]
    Webhook.objects.create(user=camat, url="http://127.0.0.1:9/a", events=["overdue"])
    Webhook.objects.create(user=camat, url="http://127.0.0.1:9/b", is_active=False)
    notify([camat], event="comment", title="Komentar baru")
    assert WebhookDelivery.objects.count() == 0
    notify([camat], event="overdue", title="Tenggat terlewati")
    assert list(WebhookDelivery.objects.values_list("webhook__url", flat=True)) == [
        "http://127.0.0.1:9/a"
    ]


def test_a_webhook_switched_off_meanwhile_is_not_called(users, gateway):
    server = gateway()
    hook = Webhook.objects.create(user=users["camat-tongas"], url=server.url)
    notify([users["camat-tongas"]], event="overdue", title="Tenggat terlewati")
    hook.is_active = False
    hook.save(update_fields=["is_active"])
    tasks.deliver_webhook(WebhookDelivery.objects.get().pk)
    assert WebhookDelivery.objects.get().status == "failed" and server.requests == []


def test_a_slow_gateway_does_not_slow_down_notify(
    users, gateway, queued, django_capture_on_commit_callbacks
):
    server = gateway(delay=2)
    Webhook.objects.create(user=users["camat-tongas"], url=server.url)
    with django_capture_on_commit_callbacks() as callbacks:
        start = time.monotonic()
        notify([users["camat-tongas"]], event="escalate", title="Masalah dieskalasi")
        assert time.monotonic() - start < 0.5
    assert server.requests == []

    with queued() as huey:  # the real queue: committing only stores the task
        start = time.monotonic()
        for callback in callbacks:
            callback()
        assert time.monotonic() - start < 0.5
        assert server.requests == [] and huey.pending_count() == 1
        task = huey.dequeue()

    start = time.monotonic()  # the consumer's side: it waits for the gateway, nobody else does
    huey.execute(task)
    assert time.monotonic() - start >= 2
    assert WebhookDelivery.objects.get().status == "sent" and len(server.requests) == 1


def test_a_delivery_whose_task_was_lost_is_queued_again(users, gateway):
    server = gateway()
    Webhook.objects.create(user=users["camat-tongas"], url=server.url)
    notify([users["camat-tongas"]], event="overdue", title="Tenggat terlewati")  # never queued
    WebhookDelivery.objects.update(next_attempt_at=timezone.now() - timedelta(hours=1))
    assert tasks.requeue_stalled_deliveries.call_local() == 1
    assert WebhookDelivery.objects.get().status == "sent" and len(server.requests) == 1
    assert tasks.requeue_stalled_deliveries.call_local() == 0
