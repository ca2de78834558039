"""The login page (and the admin's, which shares it) locks a username out after repeated failed
logins (django-axes), with a message instead of a 500; a success resets; the cool-off ends it."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db

PASSWORD = "pantau-demo"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def log_in(client, username, password, **extra):
    return client.post("/masuk/", {"username": username, "password": password}, **extra)


def fail(client, username, times, **extra):
    """`times` wrong passwords; the one that reaches the limit already answers the lock."""
    for i in range(1, times + 1):
        response = log_in(client, username, "salah", **extra)
        expected = 429 if i >= 10 else 200  # 200: the form again, with its error
        assert response.status_code == expected
        assert "_auth_user_id" not in client.session
    return response


def test_ten_failures_lock_the_username_from_that_address_even_with_the_right_password(
    client, settings
):
    assert settings.AXES_FAILURE_LIMIT == 10
    assert fail(client, "camat-tongas", 10).status_code == 429
    response = log_in(client, "camat-tongas", PASSWORD)  # the 11th, right password
    assert response.status_code == 429
    assert response.context["locked_out"]
    assert b"data-locked" in response.content
    assert int(response["Retry-After"]) == 15 * 60
    assert "_auth_user_id" not in client.session
    # From another address the official still gets in (pantau.accounts.logins).
    other = Client(REMOTE_ADDR="10.9.8.7")
    assert log_in(other, "camat-tongas", PASSWORD).status_code == 302


def test_the_lock_holds_for_the_admin_login_and_the_api(client):
    fail(client, "admin", 10)
    admin = client.post(
        "/admin/login/", {"username": "admin", "password": PASSWORD, "next": "/admin/"}
    )
    assert admin.status_code == 429 and "_auth_user_id" not in client.session
    api = client.post(
        "/api/v1/auth/token",
        {"username": "admin", "password": PASSWORD},
        content_type="application/json",
    )
    assert api.status_code == 429 and api.json()["code"] == "rate_limited"
    assert api["Retry-After"]


def test_another_user_on_the_same_address_is_not_affected(client):
    fail(client, "camat-tongas", 10)
    response = log_in(Client(), "camat-paiton", PASSWORD)
    assert response.status_code == 302
    assert log_in(client, "camat-tongas", PASSWORD).status_code == 429


def test_fifty_failures_from_one_address_lock_the_address(client):
    for i in range(5):
        fail(client, f"nobody-{i}", 9 if i < 4 else 10)
    assert log_in(Client(), "camat-paiton", PASSWORD).status_code == 302  # 46 failures
    for i in range(4):
        log_in(client, f"nobody-{i}", "salah")
    assert log_in(Client(), "camat-tongas", PASSWORD).status_code == 429
    assert log_in(Client(REMOTE_ADDR="10.9.8.7"), "camat-tongas", PASSWORD).status_code == 302
    # camat-paiton logged in from here a moment ago: a known client, held only by its own count
    assert log_in(Client(), "camat-paiton", PASSWORD).status_code == 302


def test_after_the_cool_off_the_right_password_works_again(client):
    fail(client, "camat-tongas", 10)
    assert log_in(client, "camat-tongas", PASSWORD).status_code == 429
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16), tick=False):
        response = log_in(client, "camat-tongas", PASSWORD)
        assert response.status_code == 302
        assert client.session["_auth_user_id"]


def test_a_successful_login_resets_the_count(client):
    fail(client, "camat-tongas", 9)
    assert log_in(client, "camat-tongas", PASSWORD).status_code == 302
    client.post("/keluar/")
    fail(client, "camat-tongas", 9)
    assert log_in(client, "camat-tongas", PASSWORD).status_code == 302
