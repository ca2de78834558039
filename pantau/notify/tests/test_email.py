"""E-mail through a real SMTP server (aiosmtpd) on 127.0.0.1."""

from email import message_from_bytes, policy

import pytest
from django.core import mail

from pantau.conftest import free_port
from pantau.notify import tasks
from pantau.notify.models import Notification
from pantau.notify.service import notify

pytestmark = pytest.mark.django_db


@pytest.fixture
def camat(users):
    user = users["camat-tongas"]
    user.email = "camat.tongas@example.go.id"
    user.save(update_fields=["email"])
    return user


def parse(envelope):
    return message_from_bytes(envelope.content, policy=policy.default)


def escalate(recipients, capture):
    with capture(execute=True):
        notify(
            recipients,
            event="escalate",
            title="Masalah dieskalasi: Baliho paslon di depan TPS 003",
            body="Baliho paslon di depan TPS 003\nDesa Tongas Kulon",
            url="/masalah/12/",
        )


def test_it_mails_the_recipient_with_subject_and_link(
    smtp_server, camat, users, django_capture_on_commit_callbacks
):
    escalate([camat, users["bupati"]], django_capture_on_commit_callbacks)  # bupati: no address
    assert len(smtp_server.envelopes) == 1
    envelope = smtp_server.envelopes[0]
    assert envelope.rcpt_tos == ["camat.tongas@example.go.id"]
    message = parse(envelope)
    assert message["Subject"] == "Masalah dieskalasi: Baliho paslon di depan TPS 003"
    assert message["To"] == "camat.tongas@example.go.id"
    text = message.get_content()
    assert "Baliho paslon di depan TPS 003" in text
    assert "https://pantau.example.go.id/masalah/12/" in text
    assert Notification.objects.get(user=camat).emailed_at is not None


def test_no_mail_at_all_without_an_smtp_server(
    settings, camat, django_capture_on_commit_callbacks, monkeypatch
):
    settings.EMAIL_HOST = ""
    queued = []
    monkeypatch.setattr(tasks, "send_notification_emails", lambda ids: queued.append(ids))
    escalate([camat], django_capture_on_commit_callbacks)
    assert queued == [] and mail.outbox == []
    assert Notification.objects.get(user=camat).emailed_at is None
    assert tasks.send_emails([Notification.objects.get().pk]) == 0


def test_a_mail_server_that_is_down_is_tried_again_later(
    settings, smtp_server, camat, django_capture_on_commit_callbacks, run_scheduled
):
    working_port, settings.EMAIL_PORT = settings.EMAIL_PORT, free_port()  # nobody listens
    escalate([camat], django_capture_on_commit_callbacks)  # the request is not affected
    note = Notification.objects.get(user=camat)
    assert note.emailed_at is None and smtp_server.envelopes == []
    settings.EMAIL_PORT = working_port  # the server is back
    retried = run_scheduled()  # Huey retries the task a minute later
    assert [t.name for t in retried] == ["send_notification_emails"]
    assert len(smtp_server.envelopes) == 1
    note.refresh_from_db()
    assert note.emailed_at is not None
    # A further retry (say after a failure half-way) sends nothing twice.
    assert tasks.send_emails([note.pk]) == 0
    assert len(smtp_server.envelopes) == 1
