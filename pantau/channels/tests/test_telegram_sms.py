"""Telegram (Bot API updates, /start CODE linking) and SMS (SMS Gateway for Android's signed
sms:received): the same conversation, the replies recorded by the APIs' stand-in."""

import json
import time

from pantau.channels import links
from pantau.channels.models import Inbound, Link, LinkCode
from pantau.channels.tests.conftest import VOTING_TS
from pantau.channels.tests.providers import (
    GUIDED_ANSWERS,
    GUIDED_NARRATIVE,
    SMS_PASSWORD,
    SMS_USER,
    TG_SECRET,
    TG_TOKEN,
    sms_guided,
    sms_headers,
    sms_received,
    tg_callback,
    tg_guided,
    tg_message,
)
from pantau.monitoring.models import Report

CHAT = 777000111


def telegram(post, update, secret=TG_SECRET):
    return post(
        "/channels/telegram/",
        json.dumps(update).encode(),
        {"X-Telegram-Bot-Api-Secret-Token": secret},
    )


def sms(post, event, **kw):
    body = json.dumps(event).encode()
    return post("/channels/sms/", body, sms_headers(body, **kw))


def test_telegram_links_a_chat_with_the_profile_code_then_reports(login, post, provider, users):
    kades = users["desa-3513012001"]
    page = login("desa-3513012001").get("/akun/profil/")
    code = LinkCode.objects.get(user=kades).code
    assert f"/start {code}" in page.content.decode()

    # before linking, the chat is nobody's: a reply, nothing stored
    telegram(post, tg_message(1, CHAT, "LAPOR aman semua lancar", VOTING_TS))
    assert not Inbound.objects.exists() and not Report.objects.filter(channel="telegram").exists()
    assert provider.sent("telegram")[-1]["chat_id"] == CHAT

    telegram(post, tg_message(2, CHAT, f"/start {code}", VOTING_TS))
    assert Link.objects.get(channel="telegram", address=str(CHAT)).user == kades
    assert not LinkCode.objects.filter(code=code).exists()  # one time only
    assert kades.get_full_name() in provider.texts("telegram")[-1]
    assert provider.requests[-1]["path"] == f"/telegram/bot{TG_TOKEN}/sendMessage"

    telegram(post, tg_message(3, CHAT, "LAPOR waspada TPS 5 hujan deras", VOTING_TS))
    telegram(post, tg_message(3, CHAT, "LAPOR waspada TPS 5 hujan deras", VOTING_TS))  # again
    (report,) = Report.objects.filter(channel="telegram", author=kades)
    assert report.tps == "005" and report.region.code == "35.13.01.2001"
    assert f"Laporan #{report.pk} diterima" in " ".join(provider.texts("telegram"))
    keyboard = provider.sent("telegram")[-1]["reply_markup"]["inline_keyboard"]
    assert [row[0]["callback_data"] for row in keyboard] == ["ya", "tidak"]

    # the buttons answer the checklist (callback queries), and are acknowledged
    telegram(post, tg_callback(4, CHAT, "ya", VOTING_TS))
    telegram(post, tg_callback(5, CHAT, "ya", VOTING_TS))
    telegram(post, tg_callback(6, CHAT, "1", VOTING_TS))
    report.refresh_from_db()
    assert report.checklist_complete
    assert any(r["path"].endswith("answerCallbackQuery") for r in provider.requests)

    # a photo with a caption: the largest size, fetched through getFile
    telegram(
        post, tg_message(7, CHAT, "LAPOR rawan TPS 6 kotak suara basah", VOTING_TS, photo=True)
    )
    photo_report = Report.objects.get(channel="telegram", tps="006")
    assert photo_report.photos.count() == 1
    paths = [r["path"] for r in provider.requests if r["method"] == "GET"]
    assert paths == [
        f"/telegram/bot{TG_TOKEN}/getFile?file_id=AgAC-large",
        f"/telegram/file/bot{TG_TOKEN}/photos/file_7.jpg",
    ]


def test_a_guided_telegram_conversation_completes_a_report(post, provider, users):
    kades = users["desa-3513012001"]
    telegram(post, tg_message(1, CHAT, f"/start {links.telegram_code(kades)}", VOTING_TS))
    for update in tg_guided(CHAT, VOTING_TS):
        assert telegram(post, update).status_code == 200
    report = Report.objects.get(channel="telegram", author=kades)
    assert report.situation == "waspada" and report.narrative == GUIDED_NARRATIVE
    assert report.checklist_complete and report.answers == GUIDED_ANSWERS


def test_telegram_without_the_secret_token_is_refused(post, provider, db):
    answer = telegram(post, tg_message(9, CHAT, "/start ABCDEFGH", VOTING_TS), secret="wrong")
    assert answer.status_code == 403
    assert provider.requests == [] and not Link.objects.exists()


def test_a_signed_sms_lapor_is_a_report_and_the_reply_goes_through_the_gateway(
    post, provider, users
):
    event = sms_received(
        "Ev-1",
        "+6281230000021",
        "lapor aman tps 2 aman terkendali",
        "2024-11-27T09:30:00.000+07:00",
    )
    assert sms(post, event).status_code == 200
    assert sms(post, event).status_code == 200  # the app retried: still one
    (report,) = Report.objects.filter(channel="sms")
    assert report.author == users["desa-3513012001"] and report.tps == "002"
    out = [r for r in provider.requests if r["path"] == "/sms/message"]
    assert out[0]["json"]["phoneNumbers"] == ["+6281230000021"]
    assert out[0]["headers"]["Authorization"].startswith("Basic ")
    import base64

    assert base64.b64decode(out[0]["headers"]["Authorization"][6:]).decode() == (
        f"{SMS_USER}:{SMS_PASSWORD}"
    )
    assert f"Laporan #{report.pk} diterima" in provider.texts("sms")[0]
    # numbered choices, since SMS has no buttons
    assert provider.texts("sms")[-1].endswith("\n1. Ya\n2. Tidak")


def test_a_guided_sms_conversation_completes_a_report(post, provider, users):
    for event in sms_guided("6281230000021", "2024-11-27T09:30:00+07:00"):
        sms(post, event)
    report = Report.objects.get(channel="sms")
    assert report.situation == "rawan" and report.checklist_complete
    assert report.answers["gangguan"] == "ringan"


def test_an_sms_with_a_bad_or_old_signature_is_refused(post, provider, db):
    event = sms_received("Ev-2", "+6281230000021", "LAPOR aman", "2024-11-27T09:30:00+07:00")
    assert sms(post, event, key="not-the-key").status_code == 403
    assert sms(post, event, timestamp=int(time.time()) - 3600).status_code == 403
    assert not Inbound.objects.exists() and provider.requests == []


def test_an_sms_from_an_unknown_number_gets_a_reply_and_nothing_is_stored(post, provider, db):
    event = sms_received("Ev-3", "+6285712345678", "LAPOR aman", "2024-11-27T09:30:00+07:00")
    assert sms(post, event).status_code == 200
    assert not Inbound.objects.exists() and not Report.objects.filter(channel="sms").exists()
    assert "belum terdaftar" in provider.texts("sms")[0]
