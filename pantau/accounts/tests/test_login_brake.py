"""The brake on guessed passwords holds guessers back without locking the real officials out:
behind the TLS proxy every client is counted by its own address (not the proxy's), and failures
count per (username, address), so that anonymous failures elsewhere do not lock a named
official out of the web, the API or ODK."""

import base64

import pytest
from django.core.cache import cache
from django.test import Client

from pantau.lib.client import client_ip

pytestmark = [pytest.mark.django_db, pytest.mark.hostile]

PASSWORD = "pantau-demo"
PROXY = "127.0.0.1"  # nginx on the same machine


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def behind_proxy(settings):
    settings.BEHIND_PROXY = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def via_proxy(address: str) -> dict:
    """What nginx passes on for a client at `address` ($proxy_add_x_forwarded_for)."""
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": address}


def token(username, password, **meta):
    return Client(**meta).post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )


def form_list(username, password, **meta):
    auth = base64.b64encode(f"{username}:{password}".encode()).decode()
    return Client(**meta).get("/odk/formList", headers={"Authorization": f"Basic {auth}"})


def web_login(username, password, **meta):
    return Client(**meta).post("/masuk/", {"username": username, "password": password})


def test_behind_the_proxy_each_client_has_its_own_bucket(behind_proxy):
    for i in range(120):
        response = token(f"nobody-{i % 7}", "salah", **via_proxy(f"198.51.100.{i + 1}"))
        assert response.status_code == 401
    other = via_proxy("203.0.113.9")
    assert token("camat-paiton", PASSWORD, **other).status_code == 200
    assert form_list("desa-3513012001", PASSWORD, **other).status_code == 200
    assert web_login("camat-paiton", PASSWORD, **other).status_code == 302


def test_behind_the_proxy_one_guessing_client_is_still_stopped(behind_proxy):
    guesser = via_proxy("198.51.100.7")
    for _ in range(10):
        assert token("camat-tongas", "salah", **guesser).status_code == 401
    assert token("camat-tongas", PASSWORD, **guesser).status_code == 429
    for i in range(40):
        token(f"nobody-{i}", "salah", **guesser)
    locked = token("camat-paiton", PASSWORD, **guesser)
    assert locked.status_code == 429 and locked["Retry-After"]  # 50 from one address


def test_without_the_proxy_setting_a_made_up_header_changes_nothing(settings):
    settings.BEHIND_PROXY = False
    for i in range(10):
        spoofed = {"REMOTE_ADDR": "198.51.100.7", "HTTP_X_FORWARDED_FOR": f"10.0.0.{i}"}
        assert token("camat-tongas", "salah", **spoofed).status_code == 401
    assert token("camat-tongas", PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 429


def test_ten_anonymous_failures_do_not_lock_the_official_out_elsewhere():
    attacker = {"REMOTE_ADDR": "198.51.100.66"}
    for _ in range(10):
        assert token("camat-tongas", "salah", **attacker).status_code == 401
    for _ in range(10):
        web_login("camat-tongas", "salah", **attacker)
    assert token("camat-tongas", PASSWORD, **attacker).status_code == 429
    assert web_login("camat-tongas", PASSWORD, **attacker).status_code == 429
    office = {"REMOTE_ADDR": "203.0.113.20"}
    assert web_login("camat-tongas", PASSWORD, **office).status_code == 302
    assert token("camat-tongas", PASSWORD, **office).status_code == 200


def test_the_odk_phone_is_not_locked_out_by_failures_from_elsewhere():
    for _ in range(12):
        form_list("desa-3513012001", "salah", REMOTE_ADDR="198.51.100.66")
    assert form_list("desa-3513012001", PASSWORD, REMOTE_ADDR="203.0.113.20").status_code == 200


def test_many_failures_from_everywhere_lock_the_username_but_not_a_known_client(
    behind_proxy, settings
):
    assert settings.LOGIN_USERNAME_FAILURES == 100
    known = via_proxy("203.0.113.20")
    assert token("camat-tongas", PASSWORD, **known).status_code == 200
    for i in range(100):
        token("camat-tongas", "salah", **via_proxy(f"198.51.{i // 200}.{i % 200 + 1}"))
    assert token("camat-tongas", PASSWORD, **via_proxy("203.0.113.99")).status_code == 429
    assert token("camat-tongas", PASSWORD, **known).status_code == 200


def test_the_web_login_locks_a_username_everywhere_only_at_the_higher_count(behind_proxy):
    known = via_proxy("203.0.113.20")
    assert web_login("camat-tongas", PASSWORD, **known).status_code == 302
    for i in range(99):
        web_login("camat-tongas", "salah", **via_proxy(f"198.51.100.{i + 1}"))
    assert web_login("camat-tongas", PASSWORD, **via_proxy("203.0.113.98")).status_code == 302
    web_login("camat-tongas", "salah", **via_proxy("198.51.101.1"))
    assert web_login("camat-tongas", PASSWORD, **via_proxy("203.0.113.99")).status_code == 429
    assert web_login("camat-tongas", PASSWORD, **known).status_code == 302


def test_the_client_address_comes_from_the_proxy_only_when_configured(settings):
    class Req:
        META = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 10.0.0.9"}

    settings.BEHIND_PROXY = True
    assert client_ip(Req) == "10.0.0.9"  # the entry nginx appended, not the client's own
    Req.META = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "<script>"}
    assert client_ip(Req) == "127.0.0.1"  # never a made-up value into the database
    Req.META = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 10.0.0.9"}
    settings.BEHIND_PROXY = False
    assert client_ip(Req) == "127.0.0.1"
