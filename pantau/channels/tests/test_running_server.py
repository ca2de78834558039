"""The channels against a separately running Pantau: `pantau demo` in a subprocess (gunicorn
and its task consumer), its providers' API URLs (PANTAU_*_API_URL) pointing at the stand-in
server on 127.0.0.1 (providers.Provider, which speaks their documented formats and records
what Pantau sends). Webhooks go over HTTP with the providers' payload shapes and signatures;
the replies must reach the stand-in from the task consumer, as they would reach Meta, Telegram
or the SMS gateway phone.

What the server stored is read back through `pantau shell` on the demo's data directory."""

import json
import subprocess
import urllib.error
import urllib.request

import pytest

from pantau.channels.tests.conftest import KADES, VOTING_TS
from pantau.channels.tests.providers import (
    TG_SECRET,
    VERIFY_TOKEN,
    Provider,
    sms_headers,
    sms_received,
    tg_message,
    wa_image,
    wa_signature,
    wa_text,
)
from pantau.conftest import NGADISARI, pantau_script, running_demo
from pantau.web.tests.test_offline import wait_for

CHAT = 777000222
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@pytest.fixture(scope="module")
def provider():
    server = Provider()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def pantau(tmp_path_factory, provider):
    data_dir = tmp_path_factory.mktemp("channels-demo")
    with running_demo(data_dir, NO_PROXY="127.0.0.1,localhost", **provider.settings()) as server:
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


def ask(server, expression: str):
    """The value (as JSON) of a Python expression in the running server's database."""
    code = (
        "import json; from pantau.monitoring.models import Report, Photo; "
        "from pantau.channels.models import Inbound; "
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


def test_telegram_and_sms_against_a_running_server(pantau, provider):
    code = ask(
        pantau,
        "__import__('pantau.channels.links', fromlist=['x']).telegram_code("
        "get_user_model().objects.get(username='desa-3513012001'))",
    )

    def telegram(update, secret=TG_SECRET):
        body = json.dumps(update).encode()
        hdrs = {"X-Telegram-Bot-Api-Secret-Token": secret}
        return http(pantau, "POST", "/channels/telegram/", body, hdrs)[0]

    assert telegram(tg_message(1, CHAT, "LAPOR aman", VOTING_TS), secret="wrong") == 403
    assert telegram(tg_message(2, CHAT, f"/start {code}", VOTING_TS)) == 200
    wait_for(
        lambda: any(m.get("chat_id") == CHAT for m in provider.sent("telegram")),
        timeout=60,
        message="the linking reply",
    )
    assert telegram(tg_message(3, CHAT, "LAPOR aman TPS 5 lancar", VOTING_TS)) == 200
    reports = "list(Report.objects.filter(channel='telegram').values_list('pk', flat=True))"
    (pk,) = wait_for(lambda: ask(pantau, reports), timeout=60, message="the Telegram report")
    reply_to(provider, "telegram", f"Laporan #{pk} diterima")

    event = sms_received(
        "Ev-RUN", "+6281230000021", "lapor aman tps 2 aman", "2024-11-27T09:30:00.000+07:00"
    )
    body = json.dumps(event).encode()
    assert http(pantau, "POST", "/channels/sms/", body, sms_headers(body))[0] == 200
    sms_reports = "list(Report.objects.filter(channel='sms').values_list('pk', flat=True))"
    (pk,) = wait_for(lambda: ask(pantau, sms_reports), timeout=60, message="the SMS report")
    reply_to(provider, "sms", f"Laporan #{pk} diterima")
