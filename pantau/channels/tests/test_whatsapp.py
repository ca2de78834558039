"""WhatsApp: the webhook with Meta's payloads, the conversation, the replies (recorded by the
Graph API's stand-in on 127.0.0.1). Tasks run at once (the in-memory queue)."""

import json

from pantau.channels.models import Inbound, Link
from pantau.channels.tests.conftest import KADES, MONITOR, VOTING_TS
from pantau.channels.tests.providers import (
    GUIDED_ANSWERS,
    GUIDED_NARRATIVE,
    VERIFY_TOKEN,
    wa_button,
    wa_guided,
    wa_image,
    wa_signature,
    wa_text,
)
from pantau.monitoring.models import Report
from pantau.problems.models import Problem

NGADISARI = "35.13.01.2001"


def test_subscription_check_echoes_the_challenge_only_with_the_verify_token(
    client, send, provider, db
):
    ok = client.get(
        "/channels/whatsapp/",
        {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"},
    )
    assert ok.status_code == 200 and ok.content == b"1158201444"
    wrong = client.get(
        "/channels/whatsapp/",
        {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1158201444"},
    )
    assert wrong.status_code == 403 and b"1158201444" not in wrong.content


def test_a_village_heads_lapor_is_one_report_in_his_village(client, send, provider, users):
    before = Report.objects.count()
    payload = wa_text(
        KADES, "wamid.LAPOR1", "lapor AMAN tps 3 Pemungutan berjalan lancar", VOTING_TS
    )
    assert send(payload).status_code == 200
    report = Report.objects.get(author=users["desa-3513012001"], channel="whatsapp")
    assert report.region.code == NGADISARI and report.tps == "003"
    assert report.situation == "aman" and report.narrative == "Pemungutan berjalan lancar"
    assert not report.checklist_complete  # the voting-day checklist has required questions
    replies = provider.texts("whatsapp")
    assert f"#{report.pk}" in replies[0]
    assert provider.sent("whatsapp")[0]["to"] == KADES
    # the first required question, with buttons
    question = provider.sent("whatsapp")[-1]
    assert question["type"] == "interactive"
    assert [b["reply"]["title"] for b in question["interactive"]["action"]["buttons"]] == [
        "Ya",
        "Tidak",
    ]

    # the same message delivered again stores nothing more and answers nothing more
    sent = len(provider.requests)
    assert send(payload).status_code == 200
    assert Report.objects.count() == before + 1
    assert Inbound.objects.filter(external_id="wamid.LAPOR1").count() == 1
    assert len(provider.requests) == sent

    # the answers, by button, complete the same report
    for i in range(5):
        report.refresh_from_db()
        if report.checklist_complete:
            break
        last = provider.sent("whatsapp")[-1]
        if last["type"] == "interactive":
            button = last["interactive"]["action"]["buttons"][0]["reply"]
            send(wa_button(KADES, f"wamid.ANS{i}", button["id"], button["title"], VOTING_TS))
        else:
            send(wa_text(KADES, f"wamid.ANS{i}", "07.10", VOTING_TS))
    report.refresh_from_db()
    assert report.checklist_complete
    assert report.answers["tps_buka_tepat"] is True and report.answers["surat_suara_cukup"] is True
    assert f"#{report.pk}" in provider.texts("whatsapp")[-1]
    assert Report.objects.count() == before + 1


def test_a_wrong_signature_is_refused_and_nothing_is_stored(client, send, provider, db):
    payload = wa_text(KADES, "wamid.FORGED", "LAPOR rawan kerusuhan", VOTING_TS)
    body = json.dumps(payload).encode()
    reports = Report.objects.count()
    answer = send(payload, signature=wa_signature(body, secret="not-the-secret"))
    assert answer.status_code == 403
    missing = client.generic("POST", "/channels/whatsapp/", body, content_type="application/json")
    assert missing.status_code == 403
    assert Report.objects.count() == reports and not Inbound.objects.exists()
    assert provider.requests == []


def test_an_unknown_number_gets_a_polite_reply_and_nothing_is_stored(client, send, provider, db):
    reports, problems = Report.objects.count(), Problem.objects.count()
    assert send(wa_text("6285799998888", "wamid.X", "LAPOR aman", VOTING_TS)).status_code == 200
    assert Report.objects.count() == reports and Problem.objects.count() == problems
    assert not Inbound.objects.exists() and not Link.objects.exists()
    (reply,) = provider.sent("whatsapp")
    assert reply["to"] == "6285799998888"
    assert "Pantau" in reply["text"]["body"]


def test_a_guided_conversation_completes_a_report_with_its_checklist(client, send, provider, users):
    hello, kind, situation, narrative, yes, no, choice = wa_guided(KADES, VOTING_TS)
    send(hello)
    question = provider.sent("whatsapp")[-1]
    assert [b["reply"]["id"] for b in question["interactive"]["action"]["buttons"]] == ["1", "2"]
    send(kind)
    send(situation)
    send(narrative)
    report = Report.objects.get(author=users["desa-3513012001"], channel="whatsapp")
    assert report.situation == "waspada" and report.narrative == GUIDED_NARRATIVE
    send(yes)
    send(no)
    report.refresh_from_db()
    assert not report.checklist_complete
    buttons = provider.sent("whatsapp")[-1]["interactive"]["action"]["buttons"]
    assert [b["reply"]["title"] for b in buttons][0] == "tidak ada"
    send(choice)
    report.refresh_from_db()
    assert report.checklist_complete
    assert report.answers == GUIDED_ANSWERS


def test_a_whatsapp_image_becomes_a_photo_of_the_report(client, send, provider, users):
    send(wa_image(KADES, "wamid.IMG", "LAPOR rawan TPS 1 kotak suara rusak", VOTING_TS))
    report = Report.objects.get(author=users["desa-3513012001"], channel="whatsapp")
    (photo,) = report.photos.all()
    assert photo.status == "ready" and photo.width == 1200
    fetched = [r["path"] for r in provider.requests if r["method"] == "GET"]
    assert fetched == ["/graph/1266389511046245", "/graph/media-bytes/1266389511046245"]
    auth = {r["headers"]["Authorization"] for r in provider.requests if r["method"] == "GET"}
    assert auth == {"Bearer wa-token"}


def test_a_sender_with_several_villages_is_asked_which_one(client, send, provider, users):
    send(wa_text(MONITOR, "wamid.M1", "LAPOR aman pemantauan pagi", VOTING_TS))
    mine = Report.objects.filter(author=users["pemantau-kraksaan"], channel="whatsapp")
    assert not mine.exists()
    question = provider.sent("whatsapp")[-1]
    rows = question["interactive"]["action"]["buttons"]
    assert len(rows) == 3
    send(wa_button(MONITOR, "wamid.M2", "2", rows[1]["reply"]["title"], VOTING_TS))
    report = mine.get()
    assert report.region.code == "35.13.14.1007"
    # the report takes the id of the message that asked for it: delivered again, still one
    send(wa_button(MONITOR, "wamid.M2", "2", rows[1]["reply"]["title"], VOTING_TS))
    assert mine.count() == 1


def test_masalah_then_status_and_batal(client, send, provider, users):
    send(
        wa_text(
            KADES,
            "wamid.P1",
            "MASALAH tingi Jalan longsor ke TPS 4 SARAN kirim alat berat",
            VOTING_TS,
        ),
    )
    problem = Problem.objects.get(reporter=users["desa-3513012001"], title="Jalan longsor ke TPS 4")
    assert problem.severity == "tinggi" and problem.suggestion == "kirim alat berat"
    assert f"#{problem.pk}" in provider.texts("whatsapp")[-1]
    send(wa_text(KADES, "wamid.P2", f"status {problem.pk}", VOTING_TS))
    assert problem.title in provider.texts("whatsapp")[-1]
    send(wa_text(KADES, "wamid.P3", "STATUS 999999", VOTING_TS))
    assert "999999" in provider.texts("whatsapp")[-1]
    send(wa_text(KADES, "wamid.P4", "bantuan", VOTING_TS))
    assert "LAPOR" in provider.texts("whatsapp")[-1]
    reports = Report.objects.count()
    send(wa_text(KADES, "wamid.P5", "mau lapor", VOTING_TS))
    send(wa_text(KADES, "wamid.P6", "BATAL", VOTING_TS))
    send(wa_text(KADES, "wamid.P7", "1", VOTING_TS))  # a fresh start, not an answer
    assert Report.objects.count() == reports
