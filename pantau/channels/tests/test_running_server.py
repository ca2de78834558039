"""The channels against a separately running Pantau: `pantau demo` in a subprocess (gunicorn
and its task consumer), its providers' API URLs (PANTAU_*_API_URL) pointing at the stand-in
server on 127.0.0.1 (providers.Provider, which speaks their documented formats and records
what Pantau sends). Webhooks go over HTTP with the providers' payload shapes and signatures
(the builders of providers.py, which the test-client tests send too); the replies must reach
the stand-in from the task consumer, as they would reach Meta, Telegram or the SMS gateway phone.

One server for the module (it takes most of the time to start). It runs on SQLite in its data
directory, or, when the suite runs on PostgreSQL, on a PostgreSQL database of its own. What it
stored is read back through `pantau shell` with its environment."""

import json
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from pantau.channels.tests.conftest import KADES, VOTING_TS
from pantau.channels.tests.providers import (
    GUIDED_ANSWERS,
    GUIDED_NARRATIVE,
    SMS_GUIDED_NARRATIVE,
    TG_SECRET,
    TG_TOKEN,
    VERIFY_TOKEN,
    Provider,
    sms_guided,
    sms_headers,
    sms_received,
    tg_guided,
    tg_message,
    wa_guided,
    wa_image,
    wa_signature,
    wa_text,
)
from pantau.conftest import NGADISARI, pantau_script, running_demo
from pantau.tests.helpers import on_postgresql, own_database
from pantau.web.tests.test_offline import wait_for

CHAT = 777000222  # linked to the village head of Ngadisari by /start CODE
STRANGER_CHAT = 777000333  # nobody's
SMS_PHONE = "+6281230000021"  # the village head's number, as the gateway writes it
SMS_TIME = "2024-11-27T09:30:00.000+07:00"
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture(scope="module")
def provider():
    server = Provider()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def pantau(tmp_path_factory, provider):
    data_dir = tmp_path_factory.mktemp("channels-demo")
    with own_database(data_dir) as (env, _url):
        database = {"DATABASE_URL": env["DATABASE_URL"]} if "DATABASE_URL" in env else {}
        with running_demo(
            data_dir, NO_PROXY="127.0.0.1,localhost", **database, **provider.settings()
        ) as server:
            yield server


def http(server, method, path, body: bytes | None = None, headers=None) -> tuple[int, bytes]:
    request = urllib.request.Request(
        server["url"] + path,
        data=body,
        method=method,
        headers={"Content-Type": "application/json", **(headers or {})},
    )
    try:
        with DIRECT.open(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def whatsapp(server, payload, signature=None) -> int:
    body = json.dumps(payload).encode()
    headers = {"X-Hub-Signature-256": signature or wa_signature(body)}
    return http(server, "POST", "/channels/whatsapp/", body, headers)[0]


def telegram(server, update, secret=TG_SECRET) -> int:
    body = json.dumps(update).encode()
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
    return http(server, "POST", "/channels/telegram/", body, headers)[0]


def sms(server, event, **signing) -> int:
    body = json.dumps(event).encode()
    return http(server, "POST", "/channels/sms/", body, sms_headers(body, **signing))[0]


def ask(server, expression: str):
    """The value (as JSON) of a Python expression in the running server's database."""
    code = (
        "import json; from pantau.monitoring.models import Report, Photo; "
        "from pantau.channels.models import Inbound, Link; "
        "from django.contrib.auth import get_user_model; "
        f"print(json.dumps({expression}))"
    )
    out = subprocess.run(
        [pantau_script(), "shell", "--no-imports", "-c", code],
        env=server["env"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def reply_to(provider, kind, text_part, timeout=60) -> str:
    return wait_for(
        lambda: next((t for t in provider.texts(kind) if text_part in t), None),
        timeout=timeout,
        message=f"a {kind} reply with {text_part!r}",
    )


def to(kind, body) -> str:
    """Whom a message Pantau sent through `kind`'s API is for."""
    if kind == "whatsapp":
        return body["to"]
    if kind == "telegram":
        return str(body.get("chat_id"))
    return body["phoneNumbers"][0]


def replies(provider, kind, address) -> int:
    return sum(1 for body in provider.sent(kind) if to(kind, body) == str(address))


def settled(provider, kind, address, quiet=1.0, timeout=30) -> int:
    """The number of replies to `address` once none has come for `quiet` seconds (what an
    earlier message queued has gone out)."""
    deadline = time.monotonic() + timeout
    count = replies(provider, kind, address)
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = replies(provider, kind, address)
        if now == count:
            return count
        count = now
    raise AssertionError(f"the {kind} replies to {address} did not settle")


def converse(provider, kind, address, post, messages) -> None:
    """Send a conversation as a person does: each message once the answer to the one before
    has arrived (the task consumer handles messages in parallel, a person does not)."""
    for n, message in enumerate(messages):
        before = settled(provider, kind, address)
        assert post(message) == 200
        wait_for(
            lambda before=before: replies(provider, kind, address) > before,
            timeout=60,
            message=f"the {kind} answer to message {n} of the conversation",
        )


def test_the_server_runs_on_the_database_of_the_suite(pantau):
    vendor = "postgresql" if on_postgresql() else "sqlite"
    assert ask(pantau, "__import__('django.db').db.connection.vendor") == vendor


def test_whatsapp_against_a_running_server(pantau, provider):
    status, body = http(
        pantau,
        "GET",
        "/channels/whatsapp/?hub.mode=subscribe&hub.verify_token="
        f"{VERIFY_TOKEN}&hub.challenge=1158201444",
    )
    assert (status, body) == (200, b"1158201444")

    lapor = wa_text(KADES, "wamid.RUN1", "LAPOR waspada TPS 3 antrean panjang", VOTING_TS)
    assert whatsapp(pantau, lapor) == 200
    reports = "list(Report.objects.filter(channel='whatsapp').values_list('pk', 'region__code'))"
    ((pk, region),) = wait_for(lambda: ask(pantau, reports), timeout=60, message="the report")
    assert region == NGADISARI
    reply_to(provider, "whatsapp", f"Laporan #{pk} diterima")
    assert whatsapp(pantau, lapor) == 200  # delivered again by Meta
    assert len(ask(pantau, reports)) == 1

    inbound = "Inbound.objects.count()"
    before = ask(pantau, inbound)
    spoofed = wa_text(KADES, "wamid.RUN2", "LAPOR aman palsu", VOTING_TS)
    assert whatsapp(pantau, spoofed, signature="sha256=" + "0" * 64) == 403
    assert ask(pantau, inbound) == before and len(ask(pantau, reports)) == 1

    assert whatsapp(pantau, wa_text("6285711112222", "wamid.RUN3", "halo", VOTING_TS)) == 200
    wait_for(
        lambda: any(m["to"] == "6285711112222" for m in provider.sent("whatsapp")),
        timeout=60,
        message="the reply to the unknown number",
    )
    assert ask(pantau, "Inbound.objects.filter(address='6285711112222').count()") == 0

    photo = wa_image(KADES, "wamid.RUN4", "LAPOR rawan TPS 4 kotak suara rusak", VOTING_TS)
    assert whatsapp(pantau, photo) == 200
    photos = "Photo.objects.filter(report__channel='whatsapp', status='ready').count()"
    wait_for(lambda: ask(pantau, photos) == 1, timeout=60, message="the photo")
    assert any("/graph/media-bytes/" in r["path"] for r in provider.requests)


def test_a_guided_whatsapp_conversation_completes_a_report(pantau, provider):
    converse(
        provider,
        "whatsapp",
        KADES,
        lambda m: whatsapp(pantau, m),
        [
            wa_text(KADES, "wamid.RUNG0", "BATAL", VOTING_TS),  # whatever the last test left open
            *wa_guided(KADES, VOTING_TS, prefix="wamid.RUNG"),
        ],
    )
    report = wait_for(
        lambda: ask(pantau, guided_report("whatsapp", GUIDED_NARRATIVE)),
        timeout=60,
        message="the guided WhatsApp report",
    )
    assert report["channel"] == "whatsapp" and report["situation"] == "waspada"
    assert report["checklist_complete"] and report["answers"] == GUIDED_ANSWERS
    reply_to(provider, "whatsapp", f"#{report['pk']}")


def guided_report(channel, narrative) -> str:
    """The expression of the report of a guided conversation (None until it is complete)."""
    found = f"channel={channel!r}, narrative={narrative!r}, checklist_complete=True"
    fields = "'pk', 'channel', 'situation', 'checklist_complete', 'answers'"
    return f"next(iter(Report.objects.filter({found}).values({fields})), None)"


@pytest.fixture(scope="module")
def linked_chat(pantau, provider):
    """CHAT linked to the village head by `/start CODE`, the code his profile shows."""
    code = ask(
        pantau,
        "__import__('pantau.channels.links', fromlist=['x']).telegram_code("
        "get_user_model().objects.get(username='desa-3513012001'))",
    )
    assert telegram(pantau, tg_message(2, CHAT, f"/start {code}", VOTING_TS)) == 200
    wait_for(
        lambda: replies(provider, "telegram", CHAT) > 0, timeout=60, message="the linking reply"
    )
    assert ask(pantau, f"Link.objects.filter(channel='telegram', address='{CHAT}').count()") == 1
    return CHAT


def test_telegram_with_a_wrong_secret_is_refused_and_nothing_stored(pantau, provider):
    inbound = "Inbound.objects.filter(channel='telegram').count()"
    before = ask(pantau, inbound)
    assert telegram(pantau, tg_message(1, CHAT, "LAPOR aman", VOTING_TS), secret="wrong") == 403
    assert ask(pantau, inbound) == before
    assert ask(pantau, "Report.objects.filter(channel='telegram').count()") == 0


def test_telegram_from_an_unknown_chat_gets_a_reply_and_nothing_stored(pantau, provider):
    update = tg_message(40, STRANGER_CHAT, "LAPOR aman TPS 9 lancar", VOTING_TS)
    assert telegram(pantau, update) == 200
    reply = wait_for(
        lambda: next(
            (b["text"] for b in provider.sent("telegram") if b["chat_id"] == STRANGER_CHAT), None
        ),
        timeout=60,
        message="the reply to the unknown chat",
    )
    assert "Pantau" in reply or "terdaftar" in reply
    stored = f"Inbound.objects.filter(address='{STRANGER_CHAT}').count()"
    assert ask(pantau, stored) == 0
    assert ask(pantau, "Report.objects.filter(channel='telegram', tps='009').count()") == 0


def test_a_telegram_lapor_is_stored_once_though_delivered_twice(pantau, provider, linked_chat):
    lapor = tg_message(3, linked_chat, "LAPOR aman TPS 5 lancar", VOTING_TS)
    assert telegram(pantau, lapor) == 200
    reports = (
        "list(Report.objects.filter(channel='telegram', tps='005').values_list('pk', flat=True))"
    )
    (pk,) = wait_for(lambda: ask(pantau, reports), timeout=60, message="the Telegram report")
    reply_to(provider, "telegram", f"Laporan #{pk} diterima")
    assert telegram(pantau, lapor) == 200  # Telegram delivers an update again when unsure
    assert ask(pantau, reports) == [pk]


def test_a_guided_telegram_conversation_completes_a_report(pantau, provider, linked_chat):
    converse(
        provider,
        "telegram",
        linked_chat,
        lambda u: telegram(pantau, u),
        [
            tg_message(99, linked_chat, "BATAL", VOTING_TS),
            *tg_guided(linked_chat, VOTING_TS, first_update=100),
        ],
    )
    report = wait_for(
        lambda: ask(pantau, guided_report("telegram", GUIDED_NARRATIVE)),
        timeout=60,
        message="the guided Telegram report",
    )
    assert report["situation"] == "waspada" and report["answers"] == GUIDED_ANSWERS


def test_a_telegram_photo_becomes_a_photo_of_the_report(pantau, provider, linked_chat):
    update = tg_message(
        200, linked_chat, "LAPOR rawan TPS 6 kotak suara basah", VOTING_TS, photo=True
    )
    assert telegram(pantau, update) == 200
    photos = (
        "Photo.objects.filter(report__channel='telegram', report__tps='006', "
        "status='ready').count()"
    )
    wait_for(lambda: ask(pantau, photos) == 1, timeout=60, message="the Telegram photo")
    fetched = [r["path"] for r in provider.requests if r["method"] == "GET"]
    assert f"/telegram/bot{TG_TOKEN}/getFile?file_id=AgAC-large" in fetched
    assert f"/telegram/file/bot{TG_TOKEN}/photos/file_7.jpg" in fetched


def test_an_sms_lapor_is_stored_once_and_answered_through_the_gateway(pantau, provider):
    event = sms_received("Ev-RUN", SMS_PHONE, "lapor aman tps 2 aman", SMS_TIME)
    assert sms(pantau, event) == 200
    reports = "list(Report.objects.filter(channel='sms', tps='002').values_list('pk', flat=True))"
    (pk,) = wait_for(lambda: ask(pantau, reports), timeout=60, message="the SMS report")
    reply_to(provider, "sms", f"Laporan #{pk} diterima")
    assert sms(pantau, event) == 200  # the app retried
    assert ask(pantau, reports) == [pk]


def test_an_sms_with_a_bad_signature_is_refused_and_nothing_stored(pantau, provider):
    inbound = "Inbound.objects.filter(channel='sms').count()"
    before = ask(pantau, inbound)
    event = sms_received("Ev-BAD", SMS_PHONE, "LAPOR rawan palsu TPS 8", SMS_TIME)
    assert sms(pantau, event, key="not-the-key") == 403
    assert sms(pantau, event, timestamp=int(time.time()) - 3600) == 403
    assert ask(pantau, inbound) == before
    assert ask(pantau, "Report.objects.filter(channel='sms', tps='008').count()") == 0


def test_an_sms_from_an_unknown_number_gets_a_reply_and_nothing_stored(pantau, provider):
    stranger = "+6285712345678"
    assert sms(pantau, sms_received("Ev-UNK", stranger, "LAPOR aman", SMS_TIME)) == 200
    reply = wait_for(
        lambda: next(
            (b["textMessage"]["text"] for b in provider.sent("sms") if to("sms", b) == stranger),
            None,
        ),
        timeout=60,
        message="the reply to the unknown number",
    )
    assert "belum terdaftar" in reply
    assert ask(pantau, f"Inbound.objects.filter(address='{stranger}').count()") == 0


def test_a_guided_sms_conversation_completes_a_report(pantau, provider):
    converse(
        provider,
        "sms",
        SMS_PHONE,
        lambda e: sms(pantau, e),
        [
            sms_received("G-RUN-BATAL", SMS_PHONE, "BATAL", SMS_TIME),
            *sms_guided(SMS_PHONE, SMS_TIME, prefix="G-RUN-"),
        ],
    )
    report = wait_for(
        lambda: ask(pantau, guided_report("sms", SMS_GUIDED_NARRATIVE)),
        timeout=60,
        message="the guided SMS report",
    )
    assert report["channel"] == "sms" and report["situation"] == "rawan"
    assert report["answers"]["gangguan"] == "ringan"
