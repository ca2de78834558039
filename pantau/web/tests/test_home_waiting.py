import datetime as dt
import re

import pytest
import time_machine
from django.utils import timezone

from pantau.accounts import access
from pantau.instruction.models import Agency
from pantau.problems.selectors import waiting_for
from pantau.web.tests.helpers import ids

pytestmark = pytest.mark.django_db


def counters(login, username) -> dict[str, int]:
    page = login(username).get("/").content.decode()
    return {key: int(n) for key, n in re.findall(r'data-key="(\w+)" data-count="(\d+)"', page)}


def delta(after: dict, before: dict) -> dict:
    return {k: after.get(k, 0) - before.get(k, 0) for k in after if after.get(k) != before.get(k)}


def test_a_village_escalation_waits_for_the_camat(login, users, new_problem, act):
    before = counters(login, "camat-sukapura")
    assert set(before) == {"verify", "handle", "escalated", "overdue"}
    problem = new_problem()
    # the routing puts every new problem of his villages in the camat's list to verify
    assert delta(counters(login, "camat-sukapura"), before) == {"verify": 1}
    village_before = counters(login, "desa-3513012001")
    act(problem, "desa-3513012001", "escalate", note="Perlu bantuan kecamatan")
    assert delta(counters(login, "camat-sukapura"), before) == {"verify": 1, "escalated": 1}
    assert delta(counters(login, "desa-3513012001"), village_before) == {"verify": -1}
    page = login("camat-sukapura").get("/").content.decode()
    assert f'href="/masalah/{problem.pk}/"' in page  # listed under the counter
    assert 'href="/masalah/?waiting=escalated"' in page
    assert problem.pk in ids(
        login("camat-sukapura").get("/masalah/?waiting=escalated").content.decode()
    )
    act(problem, "camat-sukapura", "verify")
    assert delta(counters(login, "camat-sukapura"), before) == {"handle": 1, "escalated": 1}
    paiton_before = counters(login, "camat-paiton")
    assert delta(counters(login, "camat-paiton"), paiton_before) == {}


def test_overdue_problems_of_the_territory_are_counted(login, new_problem):
    before = counters(login, "camat-sukapura")
    with time_machine.travel(timezone.now() - dt.timedelta(days=1), tick=False):
        new_problem(severity="kritis")
    assert delta(counters(login, "camat-sukapura"), before) == {"overdue": 1, "verify": 1}


def test_an_agency_sees_what_is_referred_and_unanswered(login, users, new_problem, act):
    before = counters(login, "bawaslu")
    assert set(before) == {"referred"}
    problem = new_problem()
    act(problem, "desa-3513012001", "refer", agency=Agency.objects.get(code="bawaslu"))
    assert delta(counters(login, "bawaslu"), before) == {"referred": 1}
    act(problem, "bawaslu", "answer", note="Sudah ditangani Panwascam")
    assert delta(counters(login, "bawaslu"), before) == {}


def test_field_roles_get_the_two_big_buttons(login):
    for username in ("camat-tongas", "desa-3513012001", "pemantau-kraksaan", "opd-bakesbangpol"):
        page = login(username).get("/").content.decode()
        assert 'id="go-report" href="/laporan/baru/"' in page
        assert 'id="go-problem" href="/masalah/baru/"' in page
    for username in ("bupati", "bawaslu"):
        assert 'id="go-report"' not in login(username).get("/").content.decode()


def test_the_header_links_home_reports_and_problems(login):
    page = login("camat-tongas").get("/masalah/").content.decode()
    nav = page[page.index('<nav class="nav"') : page.index("</nav>")]
    assert 'href="/"' in nav and 'href="/laporan/"' in nav
    assert 'href="/masalah/" aria-current="page"' in nav


def test_waiting_for_needs_few_queries(users, new_problem, act, django_assert_max_num_queries):
    for _ in range(3):
        act(new_problem(), "desa-3513012001", "escalate", note="Perlu kecamatan")
    camat = users["camat-sukapura"]
    access.territory(camat)  # computed once per request, elsewhere
    with django_assert_max_num_queries(5):  # the counts, then one per list with items
        waiting = waiting_for(camat)
    assert [w["key"] for w in waiting] == ["verify", "handle", "escalated", "overdue"]
    assert len([w for w in waiting if w["items"]]) <= 4


@pytest.mark.parametrize("username", ["bupati", "camat-sukapura", "desa-3513012001"])
def test_the_home_page_stays_quick_with_problems_waiting(
    login, new_problem, act, username, django_assert_max_num_queries
):
    act(new_problem(), "desa-3513012001", "escalate", note="Perlu kecamatan")
    client = login(username)
    with django_assert_max_num_queries(20):
        assert client.get("/").status_code == 200
