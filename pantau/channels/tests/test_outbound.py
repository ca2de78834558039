"""Notifications and reminders on the linked channel, with the webhooks' retry and back-off."""

import datetime as dt

from django.utils import timezone

from pantau.channels.models import Link, Outbound
from pantau.channels.sending import attempt, queue
from pantau.lib.backoff import MAX_ATTEMPTS
from pantau.notify.service import notify


def test_a_notification_reaches_the_linked_whatsapp_and_telegram(
    provider, users, django_capture_on_commit_callbacks
):
    camat = users["camat-sukapura"]
    Link.objects.create(
        user=camat,
        channel="whatsapp",
        address=camat.phone,
        last_inbound_at=timezone.now() - dt.timedelta(hours=2),
    )
    Link.objects.create(user=camat, channel="telegram", address="4242")
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            [camat],
            event="escalate",
            title="Masalah #7 dieskalasi",
            body="Jalan longsor",
            url="/masalah/7/",
        )
    wa, tg = provider.sent("whatsapp"), provider.sent("telegram")
    assert wa[0]["to"] == camat.phone.lstrip("+") and wa[0]["type"] == "text"
    assert wa[0]["text"]["body"] == (
        "Masalah #7 dieskalasi\nJalan longsor\nhttps://pantau.example.go.id/masalah/7/"
    )
    assert tg[0]["chat_id"] == 4242 and tg[0]["text"].startswith("Masalah #7 dieskalasi")
    assert set(Outbound.objects.values_list("status", flat=True)) == {"sent"}


def test_outside_the_24_hour_window_whatsapp_gets_the_approved_template(
    provider, users, settings, django_capture_on_commit_callbacks
):
    settings.WHATSAPP_TEMPLATES = {"overdue": "pantau_terlambat", "*": "pantau_pemberitahuan"}
    camat = users["camat-sukapura"]
    link = Link.objects.create(user=camat, channel="whatsapp", address=camat.phone)
    with django_capture_on_commit_callbacks(execute=True):
        notify([camat], event="overdue", title="Masalah #7 lewat tenggat")
    (sent,) = provider.sent("whatsapp")
    assert sent["type"] == "template" and sent["template"]["name"] == "pantau_terlambat"
    assert sent["template"]["language"] == {"code": "id"}
    assert sent["template"]["components"][0]["parameters"][0]["text"] == "Masalah #7 lewat tenggat"

    settings.WHATSAPP_TEMPLATES = {}  # no approved template: WhatsApp would refuse, none sent
    link.last_inbound_at = timezone.now() - dt.timedelta(hours=30)
    link.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify([camat], event="overdue", title="Masalah #8 lewat tenggat")
    assert len(provider.sent("whatsapp")) == 1


def test_a_failed_send_is_retried_with_the_webhooks_back_off(provider, users):
    provider.fail = MAX_ATTEMPTS
    outbound = queue(channel="telegram", address="4242", text="Halo")  # (not committed: no task)
    start = timezone.now()
    assert not attempt(outbound)
    assert outbound.status == "pending" and outbound.attempts == 1
    wait = (outbound.next_attempt_at - start).total_seconds()
    assert 29 <= wait <= 31  # 30 s, then 2 min, 8 min, ...
    assert not attempt(outbound)
    assert 119 <= (outbound.next_attempt_at - start).total_seconds() <= 121
    for _ in range(MAX_ATTEMPTS - 2):
        attempt(outbound)
    assert outbound.status == "failed" and "503" in outbound.last_error
    assert len(provider.sent("telegram")) == MAX_ATTEMPTS
