"""A WhatsApp list reply (more than three choices come as a list), and messages received are
not kept for ever."""

import datetime as dt

from django.utils import timezone

from pantau.channels import service
from pantau.channels.models import Inbound
from pantau.channels.tests.conftest import KADES, VOTING_TS
from pantau.channels.tests.providers import wa_button, wa_list, wa_text
from pantau.problems.models import Problem


def test_a_list_reply_chooses_the_severity_of_a_problem(client, send, provider, users):
    send(wa_text(KADES, "wamid.L1", "halo", VOTING_TS))
    send(wa_button(KADES, "wamid.L2", "2", "Masalah", VOTING_TS))
    question = provider.sent("whatsapp")[-1]["interactive"]
    assert question["type"] == "list"  # four severities: more than WhatsApp's three buttons
    rows = question["action"]["sections"][0]["rows"]
    assert [r["id"] for r in rows] == ["rendah", "sedang", "tinggi", "kritis"]
    send(wa_list(KADES, "wamid.L3", "tinggi", "Tinggi", VOTING_TS))
    assert provider.sent("whatsapp")[-1]["text"]["body"] == "Beri masalah ini judul singkat."
    send(wa_text(KADES, "wamid.L4", "Jembatan ke TPS 3 putus", VOTING_TS))
    problem = Problem.objects.get(reporter=users["desa-3513012001"], title__startswith="Jembatan")
    assert problem.severity == "tinggi"
    assert f"#{problem.pk}" in str(provider.sent("whatsapp")[-1])


def test_messages_received_are_deleted_after_their_retention(settings, users):
    settings.CHANNEL_INBOUND_DAYS = 30
    now = timezone.now()
    kades = users["desa-3513012001"]

    def received(days_ago, n):
        return Inbound.objects.create(
            channel="whatsapp",
            external_id=f"wamid.R{n}",
            address=KADES,
            user=kades,
            text="LAPOR aman",
            sent_at=now - dt.timedelta(days=days_ago),
            received_at=now - dt.timedelta(days=days_ago),
            handled_at=now - dt.timedelta(days=days_ago),
        )

    old = [received(31, n) for n in range(3)]
    recent = received(29, 9)
    assert service.purge_inbound() == 3
    assert list(Inbound.objects.filter(external_id__startswith="wamid.R")) == [recent]
    assert not Inbound.objects.filter(pk__in=[m.pk for m in old]).exists()
    settings.CHANNEL_INBOUND_DAYS = 7
    assert service.purge_inbound() == 1
