"""Optional TOTP two-factor login: enrolling with a real authenticator code, the second step
after the password, and PANTAU_REQUIRE_2FA for administrators, the Pj Bupati and coordinators
(the admin and API tokens included)."""

import base64
import re
import time

import pytest
import time_machine
from django.core.cache import cache
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from pantau.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

PASSWORD = "pantau-demo"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def code(device) -> str:
    """What the user's app shows now (device.bin_key is the secret shared through the QR)."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def later(minutes=1):
    """A code can be used once: the next use is in a later 30-second window."""
    return time_machine.travel(time.time() + 60 * minutes, tick=False)


def log_in(client, username):
    return client.post("/masuk/", {"username": username, "password": PASSWORD})


def enrol(client, username):
    log_in(client, username)
    page = client.get("/akun/2fa/")
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    response = client.post("/akun/2fa/", {"code": code(device)})
    assert response.status_code == 302
    client.post("/keluar/")
    return TOTPDevice.objects.get(user__username=username)


def test_enrolling_shows_a_qr_code_and_confirms_with_the_apps_code(client, users):
    log_in(client, "camat-tongas")
    page = client.get("/akun/2fa/")
    assert page.status_code == 200
    html = page.content.decode()
    qr = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', html).group(1)
    assert base64.b64decode(qr).startswith(b"<svg")  # the QR code, an SVG image
    device = TOTPDevice.objects.get(user=users["camat-tongas"])
    assert not device.confirmed
    assert page.context["secret"].replace(" ", "")  # the key as text for typing in

    wrong = client.post("/akun/2fa/", {"code": "000000" if code(device) != "000000" else "1"})
    assert wrong.status_code == 400 and wrong.context["form"].errors["code"]
    device.refresh_from_db()
    assert not device.confirmed

    response = client.post("/akun/2fa/", {"code": code(device), "next": "/laporan/"})
    # on to the backup codes, then where the user was going
    assert response.status_code == 302
    assert response["Location"] == "/akun/2fa/cadangan/?next=%2Flaporan%2F"
    assert client.get(response["Location"]).context["next"] == "/laporan/"
    device.refresh_from_db()
    assert device.confirmed
    user_id = str(users["camat-tongas"].pk)
    assert AuditEntry.objects.filter(action="user.2fa.enrol", object_id=user_id).exists()
    assert client.get("/").status_code == 200  # verified in this session


def test_an_enrolled_user_gives_a_code_after_the_password(client):
    device = enrol(client, "camat-tongas")
    with later():
        response = log_in(client, "camat-tongas")
        assert response.status_code == 302
        page = client.get("/laporan/")
        assert page.status_code == 302 and page["Location"].startswith("/akun/2fa/verifikasi/")
        # htmx requests are sent to the step as a whole page
        partial = client.get("/masalah/", headers={"HX-Request": "true"})
        assert partial["HX-Redirect"] == "/akun/2fa/verifikasi/"
        # Without the code, 2FA cannot be switched off either.
        client.post("/akun/2fa/hapus/")
        assert TOTPDevice.objects.filter(pk=device.pk).exists()
        assert client.post("/akun/2fa/verifikasi/", {"code": "12345x"}).status_code == 400
        response = client.post("/akun/2fa/verifikasi/", {"code": code(device), "next": "/laporan/"})
        assert response.status_code == 302 and response["Location"] == "/laporan/"
        assert client.get("/laporan/").status_code == 200


def test_a_used_code_or_an_outside_address_is_refused(client):
    device = enrol(client, "camat-tongas")
    with later():
        log_in(client, "camat-tongas")
        used = code(device)
        assert client.post("/akun/2fa/verifikasi/", {"code": used}).status_code == 302
        client.post("/keluar/")
        log_in(client, "camat-tongas")
        assert client.post("/akun/2fa/verifikasi/", {"code": used}).status_code == 400
    with later(2):
        response = client.post(
            "/akun/2fa/verifikasi/", {"code": code(device), "next": "https://evil.example/"}
        )
        assert response["Location"] == "/"


def test_a_user_may_switch_it_off_when_not_required(client):
    device = enrol(client, "camat-tongas")
    with later():
        log_in(client, "camat-tongas")
        client.post("/akun/2fa/verifikasi/", {"code": code(device)})
        assert client.post("/akun/2fa/hapus/").status_code == 302
    assert not TOTPDevice.objects.filter(user__username="camat-tongas").exists()


@pytest.mark.parametrize("username", ["admin", "bupati", "asisten-pemkesra"])
def test_required_roles_must_enrol_before_anything_else(client, settings, username):
    settings.REQUIRE_2FA = True
    log_in(client, username)
    for path in ["/", "/laporan/", "/dasbor/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/akun/2fa/?next=")
    assert client.get("/akun/2fa/").status_code == 200
    device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    client.post("/akun/2fa/", {"code": code(device)})
    assert client.get("/").status_code == 200


def test_other_roles_are_not_forced(client, settings):
    settings.REQUIRE_2FA = True
    log_in(client, "camat-tongas")
    assert client.get("/").status_code == 200


def test_the_admin_needs_a_verified_session(client, settings):
    settings.REQUIRE_2FA = True
    log_in(client, "admin")
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/akun/2fa/")
    client.get("/akun/2fa/")
    device = TOTPDevice.objects.get(user__username="admin", confirmed=False)
    client.post("/akun/2fa/", {"code": code(device)})
    assert client.get("/admin/").status_code == 200
    client.post("/keluar/")
    with later():
        log_in(client, "admin")
        assert client.get("/admin/accounts/user/").status_code == 302


def token(client, username, otp=None):
    body = {"username": username, "password": PASSWORD}
    if otp is not None:
        body["otp"] = otp
    return client.post("/api/v1/auth/token", body, content_type="application/json")


def test_an_api_token_needs_the_code_of_an_enrolled_user(client):
    device = enrol(client, "camat-tongas")
    with later():
        response = token(client, "camat-tongas")
        assert response.status_code == 403 and response.json()["code"] == "otp_required"
        wrong = token(client, "camat-tongas", "12345x")
        assert wrong.status_code == 403 and wrong.json()["fields"]["otp"]
        response = token(client, "camat-tongas", code(device))
        assert response.status_code == 200 and response.json()["token"]
    assert token(client, "camat-paiton").status_code == 200  # not enrolled: password only


def test_a_required_role_without_a_device_gets_no_api_token(client, settings):
    settings.REQUIRE_2FA = True
    response = token(client, "bupati")
    assert response.status_code == 403
    assert response.json()["code"] == "otp_enrolment_required"


def test_the_otp_field_is_in_the_api_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    token_in = schema["components"]["schemas"]["TokenIn"]
    assert "otp" in token_in["properties"] and "otp" not in token_in.get("required", [])


def test_a_session_from_before_still_gets_its_step(client, users):
    device = enrol(client, "camat-tongas")
    with later():
        log_in(client, "camat-tongas")
        session = client.session
        del session["pantau_2fa_step"]
        session.save()
        assert client.get("/").status_code == 302
        client.post("/akun/2fa/verifikasi/", {"code": code(device)})
        assert client.get("/").status_code == 200


def backup_codes(client) -> list[str]:
    page = client.post("/akun/2fa/cadangan/")
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    return page.context["codes"]


def test_backup_codes_are_shown_once_and_each_works_once(client, users):
    device = enrol(client, "camat-tongas")
    with later():
        log_in(client, "camat-tongas")
        # not before the second step
        assert client.post("/akun/2fa/cadangan/").status_code == 302
        client.post("/akun/2fa/verifikasi/", {"code": code(device)})
        codes = backup_codes(client)
        assert len(codes) == 10 and len(set(codes)) == 10
        assert all(re.fullmatch(r"[a-z2-7]{4} [a-z2-7]{4}", c) for c in codes)
        entry = AuditEntry.objects.get(action="user.2fa.backup_codes")
        assert entry.object_id == str(users["camat-tongas"].pk)
        assert codes[0] not in str(entry.after)  # the audit log keeps no code
        shown = client.get("/akun/2fa/cadangan/")
        assert shown.context["codes"] is None and shown.context["left"] == 10
        assert codes[0] not in shown.content.decode()
        client.post("/keluar/")

        # the phone is lost: a backup code instead of the app's code, typed as it comes
        log_in(client, "camat-tongas")
        page = client.get("/akun/2fa/verifikasi/?cadangan=1")
        assert page.context["form"]["code"].field.widget.attrs["inputmode"] == "text"
        response = client.post(
            "/akun/2fa/verifikasi/",
            {"code": codes[0].upper(), "cadangan": "1", "next": "/laporan/"},
        )
        assert response.status_code == 302 and response["Location"] == "/laporan/"
        assert client.get("/laporan/").status_code == 200
        assert client.get("/akun/2fa/cadangan/").context["left"] == 9
        client.post("/keluar/")

        log_in(client, "camat-tongas")
        assert client.post("/akun/2fa/verifikasi/", {"code": codes[0]}).status_code == 400
        assert client.get("/laporan/").status_code == 302  # still not through
    with later(2):  # a failure slows the next try down (django-otp's throttling)
        assert client.post("/akun/2fa/verifikasi/", {"code": codes[1]}).status_code == 302
        fresh = backup_codes(client)  # new codes replace the old ones
        client.post("/keluar/")
        log_in(client, "camat-tongas")
        assert client.post("/akun/2fa/verifikasi/", {"code": codes[2]}).status_code == 400
    with later(3):
        assert client.post("/akun/2fa/verifikasi/", {"code": fresh[0]}).status_code == 302


def test_a_backup_code_gives_an_api_token_once(client):
    device = enrol(client, "camat-tongas")
    with later():
        log_in(client, "camat-tongas")
        client.post("/akun/2fa/verifikasi/", {"code": code(device)})
        codes = backup_codes(client)
    assert token(client, "camat-tongas", codes[0]).status_code == 200
    again = token(client, "camat-tongas", codes[0])
    assert again.status_code == 403 and again.json()["code"] == "otp_required"


def test_backup_codes_need_the_app_first_and_go_with_it(client):
    log_in(client, "camat-tongas")
    assert client.post("/akun/2fa/cadangan/")["Location"] == "/akun/2fa/"
    client.post("/keluar/")
    device = enrol(client, "camat-tongas")
    with later():
        log_in(client, "camat-tongas")
        client.post("/akun/2fa/verifikasi/", {"code": code(device)})
        codes = backup_codes(client)
        client.post("/akun/2fa/hapus/")
    client.post("/keluar/")
    # switched off: the codes went with the app, and none is asked for any more
    assert not StaticDevice.objects.filter(user__username="camat-tongas").exists()
    assert token(client, "camat-tongas", codes[0]).status_code == 200
