import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from pantau.accounts import access
from pantau.instruction.models import Category
from pantau.web.tests.helpers import SUKAPURA, TONGAS, ids

pytestmark = pytest.mark.django_db
URL = "/masalah/"


@pytest.fixture
def problems(new_problem, act):
    """Problems of several kinds in Sukapura and one in Tongas."""
    with time_machine.travel(timezone.now() - dt.timedelta(days=2), tick=False):
        late = new_problem(title="Lama belum diverifikasi", severity="kritis")
    village = new_problem(title="Kotak suara belum tiba", severity="tinggi")
    kecamatan = new_problem(
        username="camat-sukapura",
        region=SUKAPURA,
        severity="sedang",
        category="keamanan",
        title="Keributan di balai desa",
    )
    act(kecamatan, "camat-sukapura", "verify")
    rejected = new_problem(username="camat-sukapura", region=SUKAPURA, severity="rendah")
    act(rejected, "camat-sukapura", "reject", note="Bukan masalah pemilihan")
    tongas = new_problem(username="camat-tongas", region=TONGAS, severity="kritis")
    return {
        "late": late,
        "village": village,
        "kecamatan": kecamatan,
        "rejected": rejected,
        "tongas": tongas,
    }


def shown(login, username, query=None, **headers) -> set[int]:
    response = login(username).get(URL, query or {}, **headers)
    assert response.status_code == 200
    return ids(response.content.decode())


def names(problems, found):
    return {name for name, p in problems.items() if p.pk in found}


def test_a_camat_sees_the_kecamatan_and_its_villages_not_another_kecamatan(login, problems):
    found = shown(login, "camat-sukapura")
    assert names(problems, found) == {"late", "village", "kecamatan", "rejected"}
    assert names(problems, shown(login, "camat-tongas")) == {"tongas"}
    assert names(problems, shown(login, "desa-3513012001")) == {"late", "village"}
    assert names(problems, shown(login, "bawaslu")) == set()


@pytest.mark.parametrize(
    "query,expected",
    [
        ({"status": "baru"}, {"late", "village", "tongas"}),
        ({"status": "diverifikasi"}, {"kecamatan"}),
        ({"status": "open"}, {"late", "village", "kecamatan", "tongas"}),
        ({"level": "kecamatan"}, {"kecamatan", "rejected", "tongas"}),
        ({"level": "desa"}, {"late", "village"}),
        ({"severity": "kritis"}, {"late", "tongas"}),
        ({"severity": "sedang"}, {"kecamatan"}),
        ({"kecamatan": TONGAS}, {"tongas"}),
        ({"kecamatan": SUKAPURA}, {"late", "village", "kecamatan", "rejected"}),
        ({"overdue": "yes"}, {"late"}),
        ({"overdue": "no"}, {"village", "kecamatan", "rejected", "tongas"}),
        ({"status": "baru", "severity": "kritis", "kecamatan": SUKAPURA}, {"late"}),
    ],
)
def test_each_filter_narrows_the_list(login, problems, query, expected):
    assert names(problems, shown(login, "asisten-pemkesra", query)) == expected


def test_the_category_filter(login, problems):
    query = {"category": Category.objects.get(code="keamanan").pk}
    assert names(problems, shown(login, "asisten-pemkesra", query)) == {"kecamatan"}


@pytest.mark.parametrize(
    "username", ["camat-sukapura", "desa-3513012001", "camat-paiton", "bawaslu", "asisten-ekbang"]
)
@pytest.mark.parametrize(
    "query",
    [
        {},
        {"kecamatan": TONGAS},
        {"kecamatan": SUKAPURA},
        {"overdue": "yes"},
        {"severity": "kritis"},
        {"status": "baru", "level": "kecamatan"},
    ],
)
def test_no_filter_ever_shows_another_territory(login, users, problems, username, query):
    visible = set(access.problems_for(users[username]).values_list("pk", flat=True))
    assert shown(login, username, query) <= visible


def test_a_kecamatan_outside_the_territory_is_ignored_not_obeyed(login, problems):
    found = shown(login, "camat-sukapura", {"kecamatan": TONGAS})
    assert problems["tongas"].pk not in found
    assert problems["village"].pk in found  # the invalid filter is dropped


def test_the_list_marks_overdue_and_shows_the_due_time_in_wib(login, problems):
    page = login("camat-sukapura").get(URL).content.decode()
    late = problems["late"]
    row = page[page.index(f'data-id="{late.pk}"') :]
    row = row[: row.index("</li>")]
    assert "is-overdue" in page[: page.index(f'data-id="{late.pk}"')].rsplit("<li", 1)[1]
    due = timezone.localtime(late.acknowledge_due_at).strftime("%H:%M")
    assert f"{due} WIB" in row and 'class="overdue"' in row and "sev-kritis" in row


def test_htmx_gets_only_the_results_fragment(login, problems):
    response = login("camat-sukapura").get(URL, {"severity": "sedang"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert page.startswith('<section id="results"') and "<html" not in page
    assert names(problems, ids(page)) == {"kecamatan"}
    assert "HX-Request" in response["Vary"]
    full = login("camat-sukapura").get(URL, {"severity": "sedang"}).content.decode()
    assert "<html" in full and 'hx-push-url="true"' in full and 'hx-target="#results"' in full


def test_the_waiting_lists_of_the_home_page_are_filters(login, problems, act):
    act(problems["village"], "desa-3513012001", "escalate", note="Perlu bantuan kecamatan")
    assert names(problems, shown(login, "camat-sukapura", {"waiting": "escalated"})) == {"village"}
    # the camat's list to verify holds his villages' new problems too (the routing)
    assert names(problems, shown(login, "camat-sukapura", {"waiting": "verify"})) == {
        "village",
        "late",
    }
    assert names(problems, shown(login, "desa-3513012001", {"waiting": "verify"})) == {"late"}


def test_the_list_pages_by_25_with_few_queries(login, new_problem, django_assert_max_num_queries):
    for i in range(30):
        new_problem(title=f"Masalah {i}")
    client = login("camat-sukapura")
    with django_assert_max_num_queries(12):
        response = client.get(URL, {"status": "baru"})
    assert len(ids(response.content.decode())) == 25
    assert len(ids(client.get(URL, {"status": "baru", "page": 2}).content.decode())) >= 5
