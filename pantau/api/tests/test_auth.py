"""POST/DELETE /auth/token: tokens are issued for a username and password, stored only as a
hash, expire, can be revoked (by their holder or an admin), and guessing passwords is braked."""

import datetime as dt
import hashlib

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from pantau.accounts.logins import address_limit
from pantau.api.models import ApiToken
from pantau.api.tests.conftest import error_shape
from pantau.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

PASSWORD = "pantau-demo"


def request_token(api_as, username, password=PASSWORD, **extra):
    return api_as(None).post("/auth/token", {"username": username, "password": password}, **extra)


def test_the_right_password_gets_a_token_that_opens_the_api(api_as, client):
    response = request_token(api_as, "camat-tongas")
    assert response.status_code == 200
    body = response.json()
    key = body["token"]
    assert key.startswith("pantau_") and len(key) > 40
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert abs(expires - (timezone.now() + dt.timedelta(days=30))) < dt.timedelta(minutes=1)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 200 and me.json()["username"] == "camat-tongas"


def test_only_the_hash_of_a_token_is_stored(api_as):
    key = request_token(api_as, "camat-tongas").json()["token"]
    token = ApiToken.objects.get(user__username="camat-tongas")
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert not ApiToken.objects.filter(key_hash=key).exists()
    assert AuditEntry.objects.filter(action="api.token.create", object_id=str(token.pk)).exists()


def test_the_lifetime_is_configurable(api_as, settings):
    settings.API_TOKEN_DAYS = 2
    body = request_token(api_as, "camat-tongas").json()
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert abs(expires - (timezone.now() + dt.timedelta(days=2))) < dt.timedelta(minutes=1)


def test_the_lifetime_comes_from_the_environment(api_as, monkeypatch):
    monkeypatch.setenv("PANTAU_API_TOKEN_DAYS", "7")
    body = request_token(api_as, "camat-tongas").json()
    expires = dt.datetime.fromisoformat(body["expires_at"])
    assert abs(expires - (timezone.now() + dt.timedelta(days=7))) < dt.timedelta(minutes=1)


@pytest.mark.parametrize(
    "username,password", [("camat-tongas", "salah"), ("nobody", PASSWORD), ("CAMAT-TONGAS", "x")]
)
def test_wrong_credentials_are_401(api_as, username, password):
    error_shape(request_token(api_as, username, password), 401, "invalid_credentials")
    assert not ApiToken.objects.exists()


def test_an_inactive_account_gets_no_token(api_as, users):
    users["camat-tongas"].is_active = False
    users["camat-tongas"].save(update_fields=["is_active"])
    error_shape(request_token(api_as, "camat-tongas"), 401, "invalid_credentials")


@pytest.mark.parametrize(
    "body,fields",
    [
        ({"username": "camat-tongas"}, {"password"}),
        ({}, {"username", "password"}),
        ({"username": "", "password": ""}, {"username", "password"}),
        ({"username": 12, "password": ["x"]}, {"username", "password"}),
    ],
)
def test_a_malformed_login_is_400(api_as, body, fields):
    response = api_as(None).post("/auth/token", body)
    assert set(error_shape(response, 400, "invalid")["fields"]) == fields


def test_repeated_failures_for_a_username_are_rate_limited(api_as):
    for _ in range(10):
        error_shape(request_token(api_as, "camat-tongas", "salah"), 401, "invalid_credentials")
    # Now even the right password waits: the guesser must not learn that it was right.
    response = request_token(api_as, "camat-tongas")
    error_shape(response, 429, "rate_limited")
    assert int(response["Retry-After"]) > 0
    # Another account from another address is not affected.
    assert request_token(api_as, "camat-paiton", REMOTE_ADDR="10.0.0.9").status_code == 200
    # After the window the account may log in again.
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=11)):
        assert request_token(api_as, "camat-tongas").status_code == 200


def test_repeated_failures_from_an_address_are_rate_limited(api_as):
    for n in range(address_limit()):
        error_shape(request_token(api_as, f"tebakan-{n}", "salah", REMOTE_ADDR="10.1.2.3"), 401)
    error_shape(request_token(api_as, "camat-paiton", REMOTE_ADDR="10.1.2.3"), 429, "rate_limited")
    assert request_token(api_as, "camat-paiton", REMOTE_ADDR="10.1.2.4").status_code == 200


def test_successful_logins_are_not_counted(api_as):
    for _ in range(12):
        assert request_token(api_as, "camat-tongas").status_code == 200


def test_without_a_token_it_is_401(api_as, client):
    response = api_as(None).get("/me")
    error_shape(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer pantau_nonsense"})
    error_shape(bad, 401, "not_authenticated")
    basic = client.get("/api/v1/me", headers={"Authorization": "Basic Y2FtYXQ6eA=="})
    error_shape(basic, 401, "not_authenticated")


def test_a_web_session_does_not_open_the_api(login, api_as):
    login("admin")  # the test client now carries a session cookie
    error_shape(api_as(None).get("/me"), 401, "not_authenticated")


def test_a_token_expires(api_as):
    caller = api_as("camat-tongas")
    assert caller.get("/me").status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(days=30, minutes=1)):
        error_shape(caller.get("/me"), 401, "token_expired")


def test_the_token_in_use_can_be_revoked(api_as):
    caller = api_as("camat-tongas")
    other = api_as("camat-tongas")
    response = caller.delete("/auth/token")
    assert response.status_code == 204 and response.content == b""
    error_shape(caller.get("/me"), 401, "token_revoked")
    error_shape(caller.delete("/auth/token"), 401, "token_revoked")
    assert other.get("/me").status_code == 200  # only the one in use
    assert AuditEntry.objects.filter(action="api.token.revoke").count() == 1


def test_an_admin_revokes_any_token_in_the_django_admin(api_as, login):
    caller = api_as("camat-tongas")
    token = ApiToken.objects.get(user__username="camat-tongas")
    admin = login("admin")
    listing = admin.get("/admin/api/apitoken/")
    assert listing.status_code == 200
    assert f'name="_selected_action" value="{token.pk}"' in listing.content.decode()
    response = admin.post(
        "/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.pk]}
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    error_shape(caller.get("/me"), 401, "token_revoked")
    assert admin.get("/admin/api/apitoken/add/").status_code == 403  # tokens come from the API


def test_an_inactive_users_token_stops_working(api_as, users):
    caller = api_as("camat-tongas")
    users["camat-tongas"].is_active = False
    users["camat-tongas"].save(update_fields=["is_active"])
    error_shape(caller.get("/me"), 401, "not_authenticated")


def test_last_used_is_written_at_most_once_a_minute(api_as, django_assert_num_queries):
    caller = api_as("camat-tongas")
    token = ApiToken.objects.get(user__username="camat-tongas")
    assert token.last_used_at is None
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        caller.get("/stages")
        token.refresh_from_db()
        assert token.last_used_at == start
        # Authentication is one indexed lookup (token and user together), then the stages.
        with django_assert_num_queries(2):
            caller.get("/stages")
    with time_machine.travel(start + dt.timedelta(seconds=59), tick=False):
        caller.get("/stages")
        token.refresh_from_db()
        assert token.last_used_at == start
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        caller.get("/stages")
        token.refresh_from_db()
        assert token.last_used_at == start + dt.timedelta(seconds=61)


def test_bearer_calls_need_no_csrf_token(key_for):
    """The API takes no cookie, so CSRF does not apply; Django's check must not get in the way."""
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/api/v1/auth/token",
        {"username": "camat-tongas", "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200
    key = key_for("desa-3513012001")
    response = strict.post(
        "/api/v1/problems",
        {
            "client_id": "1b4e28ba-2fa1-41d2-883f-0016d3cca427",
            "region": "35.13.01.2001",
            "title": "Hujan deras",
            "category": "bencana-cuaca",
            "severity": "sedang",
        },
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 201
