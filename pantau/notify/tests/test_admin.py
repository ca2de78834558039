import pytest

from pantau.notify.models import Webhook, WebhookDelivery
from pantau.notify.service import notify

pytestmark = pytest.mark.django_db


def test_the_administrator_adds_an_agency_webhook_and_reads_its_secret(login, users):
    client = login("admin")
    add = client.get("/admin/notify/webhook/add/").content.decode()
    assert 'name="secret"' not in add  # generated, not typed
    response = client.post(
        "/admin/notify/webhook/add/",
        {
            "agency": users["bawaslu"].agency.pk,
            "url": "https://gateway.example.go.id/pantau",
            "events": '["refer"]',
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    hook = Webhook.objects.get()
    assert len(hook.secret) >= 40 and hook.events == ["refer"]
    change = client.get(f"/admin/notify/webhook/{hook.pk}/change/").content.decode()
    assert hook.secret in change and 'name="secret"' not in change  # shown, read-only


def test_a_webhook_needs_exactly_one_owner(login, users):
    client = login("admin")
    for owner in ({}, {"agency": users["bawaslu"].agency.pk, "user": users["bawaslu"].pk}):
        response = client.post(
            "/admin/notify/webhook/add/",
            {"url": "https://gateway.example.go.id/", "events": "[]", **owner},
        )
        assert response.status_code == 200  # the form again, with the error
    assert not Webhook.objects.exists()


def test_deliveries_are_read_only(login, users):
    Webhook.objects.create(user=users["camat-tongas"], url="http://127.0.0.1:9/")
    notify([users["camat-tongas"]], event="overdue", title="Tenggat terlewati")
    delivery = WebhookDelivery.objects.get()
    client = login("admin")
    assert client.get("/admin/notify/webhookdelivery/").status_code == 200
    page = client.get(f"/admin/notify/webhookdelivery/{delivery.pk}/change/")
    assert page.status_code == 200 and "Tenggat terlewati" in page.content.decode()
    assert client.get("/admin/notify/webhookdelivery/add/").status_code == 403
    assert client.get("/admin/notify/notification/").status_code == 200
