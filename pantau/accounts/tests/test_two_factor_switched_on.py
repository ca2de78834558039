"""PANTAU_REQUIRE_2FA=1 switched on holds for credentials made before it: a token issued by
password alone stops opening the API, and a session without a second factor is sent to the
second step on its next request."""

import time

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

pytestmark = pytest.mark.django_db

PASSWORD = "pantau-demo"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def token(username, otp=None) -> str:
    body = {"username": username, "password": PASSWORD}
    if otp is not None:
        body["otp"] = otp
    response = Client().post("/api/v1/auth/token", body, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def me(key):
    return Client().get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})


def test_a_token_from_before_stops_working_for_a_required_role(settings):
    settings.REQUIRE_2FA = False
    bupati, camat = token("bupati"), token("camat-tongas")
    assert me(bupati).status_code == 200
    settings.REQUIRE_2FA = True
    refused = me(bupati)
    assert refused.status_code == 401
    assert refused.json()["code"] == "otp_required" and refused.json()["detail"]
    assert me(camat).status_code == 200  # a camat need not use two factors


def test_a_token_issued_after_the_code_keeps_working(settings, users):
    device = TOTPDevice.objects.create(user=users["bupati"], name="app", confirmed=True)
    now = time.time()
    with time_machine.travel(now, tick=False):
        device.refresh_from_db()
        otp = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
        key = token("bupati", otp)
    settings.REQUIRE_2FA = True
    assert me(key).status_code == 200


@pytest.mark.parametrize("username", ["asisten-pemkesra", "bupati"])
def test_a_session_from_before_is_sent_to_the_second_step(client, settings, username):
    settings.REQUIRE_2FA = False
    assert client.post("/masuk/", {"username": username, "password": PASSWORD}).status_code == 302
    assert client.get("/").status_code == 200
    settings.REQUIRE_2FA = True
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/akun/2fa/")
    assert client.get("/laporan/").status_code == 302  # and on every request after


def test_the_gate_costs_no_query_for_a_session_that_needs_no_second_step(
    client, settings, django_assert_num_queries
):
    settings.REQUIRE_2FA = True
    client.post("/masuk/", {"username": "camat-tongas", "password": PASSWORD})
    from pantau.accounts.middleware import STEP_KEY, TwoFactorMiddleware

    session = client.session
    assert session[STEP_KEY] == ""  # loaded: the session itself is read by every request

    class Request:
        path = "/"
        headers = {}

        class user:  # noqa: N801 - an attribute like request.user
            is_authenticated = True
            role = "camat"
            is_superuser = False

            @staticmethod
            def is_verified():
                return False

    Request.session = session
    with django_assert_num_queries(0):
        assert TwoFactorMiddleware(lambda request: "page")(Request) == "page"
