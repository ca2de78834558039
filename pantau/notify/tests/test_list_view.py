"""The notification list and marking read: one's own only."""

from datetime import timedelta

import pytest
from django.utils import timezone

from pantau.notify.models import Notification
from pantau.notify.service import notify

pytestmark = pytest.mark.django_db


@pytest.fixture
def notes(users):
    """Two notifications for camat-tongas (the newer first), one for the asisten."""
    notify(
        [users["camat-tongas"]], event="create", title="Masalah baru di Tongas", url="/masalah/1/"
    )
    notify(
        [users["camat-tongas"], users["asisten-adum"]],
        event="escalate",
        title="Masalah dieskalasi",
        body="Baliho paslon",
        url="/masalah/2/",
    )
    mine = Notification.objects.filter(user__username="camat-tongas").order_by("pk")
    Notification.objects.filter(pk=mine[0].pk).update(
        created_at=timezone.now() - timedelta(hours=2)
    )
    return {
        "old": mine[0],
        "new": mine[1],
        "theirs": Notification.objects.get(user__username="asisten-adum"),
    }


def test_it_shows_ones_own_notifications_newest_first(login, notes):
    page = login("camat-tongas").get("/notifikasi/").content.decode()
    assert page.index("Masalah dieskalasi") < page.index("Masalah baru di Tongas")
    assert 'href="/masalah/2/"' in page and "Baliho paslon" in page
    assert page.count('class="card note unread"') == 2
    assert "WIB" in page  # times are shown in the project's time zone


def test_an_outsider_sees_only_their_own(login, notes):
    page = login("asisten-adum").get("/notifikasi/").content.decode()
    assert "Masalah dieskalasi" in page and "Masalah baru di Tongas" not in page
    page = login("bupati").get("/notifikasi/").content.decode()
    assert "Masalah dieskalasi" not in page and "Masalah baru di Tongas" not in page


def test_the_list_costs_a_fixed_number_of_queries(login, users, notes, django_assert_num_queries):
    client = login("camat-tongas")
    for _ in range(30):
        notify([users["camat-tongas"]], event="comment", title="Komentar baru")
    # session, user, unread count (header), the menu's territory (operations, position: which
    # pages open for the role), page count, page rows
    with django_assert_num_queries(7):
        response = client.get("/notifikasi/")
    assert response.content.decode().count('class="card note unread"') == 20
    second = client.get("/notifikasi/?page=2").content.decode()
    assert second.count('class="card note') == 12


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/notifikasi/")
    assert response.status_code == 302 and response.url.startswith("/masuk/")
    response = client.post("/notifikasi/baca-semua/")
    assert response.status_code == 302 and response.url.startswith("/masuk/")


def test_marking_ones_own_read(login, notes):
    client = login("camat-tongas")
    response = client.post(f"/notifikasi/{notes['new'].pk}/baca/", {"page": "1"})
    assert response.status_code == 302 and response.url == "/notifikasi/?page=1"
    notes["new"].refresh_from_db()
    notes["old"].refresh_from_db()
    assert notes["new"].read_at is not None and notes["old"].read_at is None
    page = client.get("/notifikasi/").content.decode()
    assert page.count('class="card note unread"') == 1


def test_someone_elses_notification_is_not_found(login, notes):
    client = login("asisten-adum")
    response = client.post(f"/notifikasi/{notes['new'].pk}/baca/")
    assert response.status_code == 404
    missing = client.post("/notifikasi/999999999/baca/")
    assert missing.status_code == 404
    notes["new"].refresh_from_db()
    assert notes["new"].read_at is None


def test_marking_all_touches_only_ones_own(login, notes):
    response = login("camat-tongas").post("/notifikasi/baca-semua/")
    assert response.status_code == 302
    assert not Notification.objects.filter(user__username="camat-tongas", read_at=None).exists()
    notes["theirs"].refresh_from_db()
    assert notes["theirs"].read_at is None


def test_reading_twice_keeps_the_first_time(login, notes):
    client = login("camat-tongas")
    client.post(f"/notifikasi/{notes['new'].pk}/baca/")
    notes["new"].refresh_from_db()
    first = notes["new"].read_at
    client.post("/notifikasi/baca-semua/")
    notes["new"].refresh_from_db()
    assert notes["new"].read_at == first


def test_htmx_gets_the_updated_list_and_header_count(login, notes):
    client = login("camat-tongas")
    response = client.post(
        f"/notifikasi/{notes['new'].pk}/baca/", {"page": "1"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    fragment = response.content.decode()
    assert "<html" not in fragment and 'id="notifications"' in fragment
    assert fragment.count('class="card note unread"') == 1
    assert 'id="unread-link" hx-swap-oob="true"' in fragment and "(1)" in fragment


def test_marking_read_needs_a_post(login, notes):
    client = login("camat-tongas")
    assert client.get(f"/notifikasi/{notes['new'].pk}/baca/").status_code == 405
    assert client.get("/notifikasi/baca-semua/").status_code == 405


def test_the_header_shows_the_unread_count(login, notes):
    page = login("camat-tongas").get("/").content.decode()
    assert 'href="/notifikasi/"' in page and "(2)" in page
    page = login("bupati").get("/").content.decode()
    assert 'href="/notifikasi/"' in page and "(2)" not in page


def test_the_page_speaks_indonesian_by_default(login, notes):
    response = login("camat-tongas").get("/notifikasi/")
    assert response.status_code == 200 and 'lang="id"' in response.content.decode()
