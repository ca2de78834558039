"""notify(): in-app rows for the right people, inside the caller's transaction."""

from types import SimpleNamespace

import pytest
from django.db import transaction

from pantau.notify.models import Notification, Webhook, WebhookDelivery
from pantau.notify.service import notify

pytestmark = pytest.mark.django_db


def problem_like(pk=12):
    """What notify() reads of a problem (the problems app passes its own model)."""
    return SimpleNamespace(
        pk=pk,
        title="Baliho paslon di depan TPS 003",
        status="baru",
        level="kecamatan",
        severity="tinggi",
        region=SimpleNamespace(code="35.13.12"),
    )


def test_it_tells_each_recipient_once_and_nobody_else(users, django_capture_on_commit_callbacks):
    camat, asisten = users["camat-tongas"], users["asisten-adum"]
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            [camat, None, asisten, camat],
            event="escalate",
            title="Masalah dieskalasi",
            body="Baliho paslon di depan TPS 003",
            url="/masalah/12/",
            problem=problem_like(),
        )
    rows = Notification.objects.order_by("user__username")
    assert [n.user.username for n in rows] == ["asisten-adum", "camat-tongas"]
    note = rows[0]
    assert (note.event, note.title, note.body, note.url) == (
        "escalate",
        "Masalah dieskalasi",
        "Baliho paslon di depan TPS 003",
        "/masalah/12/",
    )
    assert (note.object_type, note.object_id, note.read_at) == ("problem", "12", None)
    assert not Notification.objects.filter(user=users["bupati"]).exists()


def test_it_skips_inactive_accounts(users):
    gone = users["camat-paiton"]
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    notify([gone, users["camat-tongas"]], event="create", title="Masalah baru")
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["camat-tongas"]


def test_nothing_is_left_when_the_action_rolls_back(users, django_capture_on_commit_callbacks):
    Webhook.objects.create(user=users["camat-tongas"], url="http://127.0.0.1:9/hook")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify([users["camat-tongas"]], event="create", title="Masalah baru")
            assert Notification.objects.count() == 1  # visible inside the transaction
            raise RuntimeError("the action failed")
    assert Notification.objects.count() == 0
    assert WebhookDelivery.objects.count() == 0
    assert callbacks == []  # nothing queued: no e-mail, no webhook


def test_it_refuses_a_link_outside_pantau(users):
    for url in ("https://example.com/", "//example.com/x", "javascript:alert(1)"):
        with pytest.raises(ValueError):
            notify([users["camat-tongas"]], event="create", title="x", url=url)
    assert Notification.objects.count() == 0


def test_without_recipients_it_does_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        notify([None], event="create", title="Masalah baru")


def test_a_long_title_is_cut_to_fit(users):
    notify([users["camat-tongas"]], event="create", title="x" * 1000)
    assert len(Notification.objects.get().title) == 300
