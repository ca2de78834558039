import datetime as dt
import re

import pytest
import time_machine
from django.db import transaction

from pantau.audit.log import record
from pantau.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
URL = "/audit/"


def ids_on(page: str) -> set[int]:
    return {int(n) for n in re.findall(r'<span class="muted">#(\d+)</span>', page)}


@pytest.fixture
def log(users):
    """Entries by different people, on different objects and days (times in UTC)."""
    made = {}
    plan = [
        (
            "escalate",
            "camat-tongas",
            "problem.escalate",
            "problem",
            "7",
            "35.13.23.2001",
            dt.datetime(2024, 11, 26, 16, 30, tzinfo=dt.UTC),
        ),  # 23:30 WIB on the 26th
        (
            "late",
            "camat-tongas",
            "problem.resolve",
            "problem",
            "7",
            "35.13.23",
            dt.datetime(2024, 11, 26, 17, 30, tzinfo=dt.UTC),
        ),  # 00:30 WIB on the 27th
        (
            "report",
            "desa-3513012001",
            "report.create",
            "report",
            "12",
            "35.13.01.2001",
            dt.datetime(2024, 11, 27, 2, 0, tzinfo=dt.UTC),
        ),
        (
            "other",
            "admin",
            "agency.change",
            "agency",
            "3",
            "35.13.2",
            dt.datetime(2024, 11, 28, 2, 0, tzinfo=dt.UTC),
        ),
    ]
    for key, username, action, object_type, object_id, region, at in plan:
        with time_machine.travel(at, tick=False), transaction.atomic():
            made[key] = record(
                actor=users[username],
                action=action,
                object_type=object_type,
                object_id=object_id,
                region_code=region,
                before={"state": "open", "owner": "camat"},
                after={"state": "escalated", "owner": "camat"},
                note=f"note {key}",
            )
    return made


@pytest.mark.parametrize("username", ["admin", "bupati"])
def test_administrators_and_the_pj_bupati_see_the_log(login, log, username):
    response = login(username).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert {e.id for e in log.values()} <= ids_on(page)
    assert "problem.escalate" in page and "camat-tongas" in page and "note report" in page


@pytest.mark.parametrize("username", ["camat-tongas", "bawaslu", "asisten-adum", "desa-3513012001"])
def test_nobody_else_finds_the_page(login, log, username):
    assert login(username).get(URL).status_code == 404


def test_an_anonymous_visitor_is_asked_to_log_in(client, log):
    response = client.get(URL)
    assert response.status_code == 302 and "/masuk/" in response.url


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"actor": "camat-tongas"}, {"escalate", "late"}),
        ({"action": "problem"}, {"escalate", "late"}),
        ({"action": "problem.resolve"}, {"late"}),
        ({"object_type": "Report", "object_id": "12"}, {"report"}),
        ({"object_type": "problem", "object_id": "7"}, {"escalate", "late"}),
        # the region and what is under it; 35.13.2 is not a prefix of 35.13.23's subtree
        ({"region": "35.13.23"}, {"escalate", "late"}),
        ({"region": "35.13.2"}, {"other"}),
        # days in WIB: 23:30 WIB on the 26th is the 26th, 00:30 WIB on the 27th the 27th
        ({"date_to": "2024-11-26"}, {"escalate"}),
        ({"date_from": "2024-11-27", "date_to": "27/11/2024"}, {"late", "report"}),
        ({"date_from": "2024-11-28", "action": "agency"}, {"other"}),
    ],
)
def test_filters_narrow_the_list(login, log, query, expected):
    response = login("admin").get(URL, query)
    assert response.status_code == 200
    shown = ids_on(response.content.decode())
    assert {k for k, e in log.items() if e.id in shown} == expected


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "kemarin"},
        {"date_from": "2024-02-30"},
        {"date_to": "9999-12-31"},
        {"date_from": "2024-11-28", "date_to": "2024-11-27"},
        {"region": "35.13.x"},
        {"actor": "x" * 500},
        {"object_id": "7\x00"},
        {"page": "banyak"},
    ],
)
def test_bad_filters_get_a_message_not_an_error(login, log, query):
    response = login("admin").get(URL, query)
    assert response.status_code == 200
    page = response.content.decode()
    if "page" in query:
        assert ids_on(page)  # a bad page number shows the first page
    else:
        assert 'role="alert"' in page and 'class="errorlist' in page
        assert not ids_on(page)


def test_it_shows_only_what_changed_and_times_in_wib(login, log):
    page = login("admin").get(URL, {"object_type": "report"}).content.decode()
    assert '<dt data-key="state">state</dt>' in page and 'data-key="owner"' not in page
    assert "<del>open</del>" in page and "<ins>escalated</ins>" in page
    assert "09:00:00 WIB" in page  # 02:00 UTC


def test_it_pages_fifty_entries_at_a_time(login, django_assert_max_num_queries):
    with transaction.atomic():
        for i in range(60):
            record(actor=None, action="test.many", object_id=str(i))
    client = login("bupati")
    # session, user, count, the page of entries, the unread count in the header, the menu's
    # operations and position (which pages open for the role): none per entry
    with django_assert_max_num_queries(7):
        first = client.get(URL, {"action": "test.many"}).content.decode()
    assert len(ids_on(first)) == 50
    second = client.get(URL, {"action": "test.many", "page": 2}).content.decode()
    assert len(ids_on(second)) == 10 and not ids_on(first) & ids_on(second)
    assert "action=test.many" in second  # the page links keep the filters
    newest = AuditEntry.objects.filter(action="test.many").order_by("-id").first()
    assert newest.id in ids_on(first)
