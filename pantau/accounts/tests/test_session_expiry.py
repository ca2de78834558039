"""Sessions end: after PANTAU_SESSION_IDLE without a request (4 h), 12 h after login in any case,
and at logout; an expired session is sent to the login page."""

import time

import pytest
import time_machine
from django.core.cache import cache

pytestmark = pytest.mark.django_db

HOUR = 3600


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def log_in(client):
    response = client.post("/masuk/", {"username": "camat-tongas", "password": "pantau-demo"})
    assert response.status_code == 302


def at(seconds_from_now, start):
    return time_machine.travel(start + seconds_from_now, tick=False)


def test_an_idle_session_is_sent_to_the_login_page(client, settings):
    assert settings.SESSION_IDLE_SECONDS == 4 * HOUR
    start = time.time()
    with at(0, start):
        log_in(client)
    with at(4 * HOUR + 120, start):
        response = client.get("/laporan/")
        assert response.status_code == 302
        assert response["Location"].startswith("/masuk/?next=/laporan/")
        assert "_auth_user_id" not in client.session


def test_activity_keeps_it_alive_until_the_session_age(client):
    start = time.time()
    with at(0, start):
        log_in(client)
    for hours in (3, 6, 9, 11.5):
        with at(hours * HOUR, start):
            assert client.get("/").status_code == 200
    with at(12 * HOUR + 60, start):  # SESSION_COOKIE_AGE: 12 h after login, active or not
        response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith("/masuk/")


def test_idle_expiry_can_be_switched_off(client, settings):
    settings.SESSION_IDLE_SECONDS = 0
    start = time.time()
    with at(0, start):
        log_in(client)
    with at(8 * HOUR, start):
        assert client.get("/").status_code == 200


def test_logout_ends_the_session(client):
    log_in(client)
    key = client.session.session_key
    client.post("/keluar/")
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/").status_code == 302


def session_writes(ctx) -> list:
    return [q for q in ctx.captured_queries if "UPDATE" in q["sql"] and "session" in q["sql"]]


def test_an_active_user_costs_at_most_one_session_write_a_minute(
    client, django_assert_max_num_queries
):
    start = time.time()
    with at(0, start):
        log_in(client)
        client.get("/")
        with django_assert_max_num_queries(100) as ctx:
            client.get("/")
        assert session_writes(ctx) == []  # within the minute: no write for the idle clock
    with at(120, start):
        with django_assert_max_num_queries(100) as ctx:
            client.get("/")
        assert len(session_writes(ctx)) == 1
