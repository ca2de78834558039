"""The missing list at regency size: computed once per request, listed a page at a time on
/kepatuhan/ (the most recent first), paged by limit/offset in the API, complete in the CSV."""

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.core.cache import cache

from pantau.api.actions import do_issue_token
from pantau.compliance import selectors
from pantau.compliance.tests.conftest import AFTER, DAY, kecamatan
from pantau.compliance.views import MISSING_PER_PAGE

pytestmark = pytest.mark.django_db

RANGE = {"since": "2024-11-20", "until": "2024-11-27"}


@pytest.fixture(autouse=True)
def _after_voting_day():
    cache.clear()  # the API's rate-limit counters
    with time_machine.travel(AFTER, tick=False):
        yield


@pytest.fixture
def api(client, users):
    def _get(username, **params):
        key, _token = do_issue_token(users[username])
        return client.get("/api/v1/compliance", params, headers={"Authorization": f"Bearer {key}"})

    return _get


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def test_the_page_lists_the_most_recent_missing_a_page_at_a_time(voting_day, login):
    client = login("bupati")
    page = client.get("/kepatuhan/", RANGE)
    assert page.status_code == 200
    everything = page.context["result"].missing
    assert len(everything) > 2 * MISSING_PER_PAGE
    shown = page.context["missing"]
    assert shown.paginator.count == len(everything)
    assert list(shown.object_list) == everything[::-1][:MISSING_PER_PAGE]
    html = page.content.decode()
    assert html.count('<li class="missing"') == MISSING_PER_PAGE
    assert 'rel="next" href="?since=2024-11-20&amp;until=2024-11-27&amp;page=2"' in html
    # the second page follows on, the last one ends with the earliest deadline
    second = client.get("/kepatuhan/", {**RANGE, "page": 2}).context["missing"]
    assert list(second.object_list) == everything[::-1][MISSING_PER_PAGE : 2 * MISSING_PER_PAGE]
    last = client.get("/kepatuhan/", {**RANGE, "page": 9999}).context["missing"]
    assert last.object_list[-1] == everything[0]
    assert client.get("/kepatuhan/", {**RANGE, "page": "dua"}).status_code == 400
    assert client.get("/kepatuhan/", {**RANGE, "page": 0}).status_code == 400


def test_htmx_gets_only_the_missing_list(voting_day, login):
    headers = {"HX-Request": "true", "HX-Target": "compliance-missing"}
    answer = login("bupati").get("/kepatuhan/", {**RANGE, "page": 2}, headers=headers)
    assert answer.status_code == 200
    html = answer.content.decode()
    assert html.lstrip().startswith('<section class="card" id="compliance-missing"')
    assert "<html" not in html and html.count('<li class="missing"') == MISSING_PER_PAGE


def test_the_slots_are_computed_once_for_the_kabupaten_and_its_clusters(
    voting_day, login, monkeypatch
):
    calls = []
    original = selectors.slots

    def counting(**kwargs):
        calls.append(kwargs)
        return original(**kwargs)

    monkeypatch.setattr(selectors, "slots", counting)
    page = login("bupati").get("/kepatuhan/", {"date": "2024-11-27"})
    assert page.status_code == 200 and len(calls) == 1
    # and the clusters derived from that pass are the ones counted on their own
    alone = selectors.compliance_by_cluster(
        operation=selectors.operation_for_region(voting_day["leces"]), start=DAY, end=DAY
    )
    shown = page.context["clusters"]
    assert [(c.region, c.expected, c.received, c.on_time, len(c.missing)) for c in shown] == [
        (n.region, n.expected, n.received, n.on_time, len(n.missing)) for _c, n in alone
    ]
    assert sum(c.expected for c in shown) == page.context["result"].expected == 120


def test_the_csv_has_every_missing_report_of_the_territory(voting_day, login):
    answer = login("bupati").get("/kepatuhan/belum-lapor.csv", {"date": "2024-11-27"})
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    header, *rows = csv_rows(answer)
    assert len(header) == 5 and len(rows) == 111  # 120 expected, 9 received
    dringu = [r for r in rows if r[0] == "camat-dringu"]
    assert [r[4] for r in dringu] == [
        f"2024-11-27 {t}" for t in ("07:00", "10:00", "13:00", "16:00", "20:00")
    ]
    # a camat gets their own kecamatan only
    answer = login("camat-tegalsiwalan").get("/kepatuhan/belum-lapor.csv", {"date": "2024-11-27"})
    _header, *rows = csv_rows(answer)
    assert rows == [
        ["camat-tegalsiwalan", "Camat Tegalsiwalan", voting_day["tegalsiwalan"].code,
         "Tegalsiwalan", "2024-11-27 16:00"]
    ]  # fmt: skip


def test_the_csv_refuses_outsiders_and_bad_filters(voting_day, login, client):
    url = "/kepatuhan/belum-lapor.csv"
    dringu = kecamatan("Dringu").code
    assert login("camat-leces").get(url, {"region": dringu}).status_code == 404
    assert login("bawaslu").get(url).status_code == 404
    assert login("bupati").get(url, {"date": "kemarin"}).status_code == 400
    assert (
        login("bupati").get(url, {"since": "2024-11-27", "until": "2024-11-01"}).status_code == 400
    )
    client.logout()
    response = client.get(url)
    assert response.status_code == 302 and "/masuk/" in response["Location"]


def test_the_api_pages_the_missing_list(voting_day, api):
    everything = api("bupati", date="2024-11-27", limit=1000).json()
    assert everything["missing_total"] == len(everything["missing"]) == 111
    first = api("bupati", date="2024-11-27").json()
    assert first["missing_total"] == 111 and first["missing"] == everything["missing"][:50]
    assert first["expected"] == 120 and len(first["children"]) == 24
    tail = api("bupati", date="2024-11-27", offset=100, limit=50).json()
    assert tail["missing"] == everything["missing"][100:]
    dringu = {c["region"]: c for c in tail["children"]}[kecamatan("Dringu").code]
    assert dringu["missing_total"] == 5 and dringu["missing"] == []
    for bad in ({"limit": 5000}, {"limit": -1}, {"offset": -1}, {"limit": "semua"}):
        answer = api("bupati", date="2024-11-27", **bad)
        assert answer.status_code == 400 and answer.json()["code"] == "invalid"


def test_the_missing_due_times_are_shown_in_wib(voting_day, login):
    html = login("camat-tegalsiwalan").get("/kepatuhan/", {"date": "2024-11-27"}).content.decode()
    due = dt.datetime(2024, 11, 27, 9, 0, tzinfo=dt.UTC)  # 16:00 WIB
    assert due.strftime("%H:%M") not in html.split('id="compliance-missing"')[1]
    assert "27 Nov 16:00 WIB" in html


def test_each_missing_official_can_be_called_or_messaged(voting_day, login, users):
    camat = users["camat-dringu"]
    if not camat.phone:
        camat.phone = "+6281299990004"
        camat.save(update_fields=["phone"])
    digits = camat.phone.lstrip("+")
    html = login("bupati").get("/kepatuhan/", RANGE).content.decode()
    row = html[html.index('<li class="missing" data-username="camat-dringu"') :]
    row = row[: row.index("</li>")]
    assert f'href="tel:{camat.phone}"' in row
    assert f'href="https://wa.me/{digits}"' in row
