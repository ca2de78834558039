"""/kepatuhan/ and GET /api/v1/compliance show the same numbers, inside the territory only."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache

from pantau.api.actions import do_issue_token
from pantau.compliance.tests.conftest import AFTER, kecamatan

pytestmark = pytest.mark.django_db

API = "/api/v1/compliance"


@pytest.fixture(autouse=True)
def _after_voting_day():
    cache.clear()  # the API's rate-limit counters
    with time_machine.travel(AFTER, tick=False):
        yield


@pytest.fixture
def api(client, users):
    def _get(username, **params):
        key, _token = do_issue_token(users[username])
        return client.get(API, params, headers={"Authorization": f"Bearer {key}"})

    return _get


def node_of(counts) -> dict:
    """The comparable part of a page node or an API node."""
    get = counts.get if isinstance(counts, dict) else lambda k: getattr(counts, k)
    missing = get("missing")
    return {
        "region": get("region"),
        "expected": get("expected"),
        "received": get("received"),
        "on_time": get("on_time"),
        "reporting_rate": get("reporting_rate"),
        "on_time_rate": get("on_time_rate"),
        "missing": [
            (m["username"], m["region"], dt.datetime.fromisoformat(m["due_at"]))
            if isinstance(m, dict)
            else (m.username, m.region, m.due_at)
            for m in missing
        ],
    }


@pytest.mark.parametrize(
    "username,params",
    [
        ("bupati", {"date": "2024-11-27"}),
        ("bupati", {"date": "2024-11-27", "region": "35.13"}),
        ("asisten-adum", {"date": "2024-11-27"}),
        ("camat-tegalsiwalan", {"since": "2024-11-26", "until": "2024-11-27"}),
        ("opd-dishub", {"since": "2024-11-20", "until": "2024-11-27"}),
    ],
)
def test_the_api_matches_the_page(voting_day, login, api, username, params):
    page = login(username).get("/kepatuhan/", params)
    assert page.status_code == 200
    shown = page.context["result"]
    answer = api(username, **params, limit=1000)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["missing_total"] == len(shown.missing) < 1000
    assert node_of(body) == node_of(shown)
    assert [node_of(c) for c in body["children"]] == [node_of(c) for c in shown.children]
    assert body["expected"] > 0


def test_the_page_shows_the_kabupaten_the_clusters_and_who_has_not_reported(voting_day, login):
    page = login("bupati").get("/kepatuhan/", {"date": "2024-11-27"})
    result = page.context["result"]
    assert (result.expected, result.received, result.on_time) == (120, 9, 8)
    clusters = {c.region: c for c in page.context["clusters"]}
    assert (clusters["adum"].expected, clusters["adum"].received) == (40, 9)
    html = page.content.decode()
    assert "Camat Dringu" in html and "16:00" in html
    assert "80%" in html and "60%" in html  # Tegalsiwalan


def test_the_asisten_sees_the_cluster_total_and_its_kecamatan(voting_day, login):
    page = login("asisten-adum").get("/kepatuhan/", {"date": "2024-11-27"})
    result = page.context["result"]
    assert (result.level, result.expected, result.received, result.on_time) == (
        "cluster",
        40,
        9,
        8,
    )
    assert len(result.children) == 8


def test_the_camat_sees_the_kecamatan_and_counts_the_late_report(voting_day, api):
    body = api("camat-tegalsiwalan", date="2024-11-27").json()
    assert body["region"] == voting_day["tegalsiwalan"].code
    assert (body["expected"], body["received"], body["on_time"]) == (5, 4, 3)
    assert (body["reporting_rate"], body["on_time_rate"]) == (0.8, 0.6)
    assert body["missing"] == [
        {
            "username": "camat-tegalsiwalan",
            "full_name": "Camat Tegalsiwalan",
            "region": voting_day["tegalsiwalan"].code,
            "region_name": "Tegalsiwalan",
            "due_at": "2024-11-27T16:00:00+07:00",
        }
    ]


def test_outside_the_territory_is_not_found(voting_day, login, api):
    dringu = kecamatan("Dringu").code
    assert login("camat-leces").get("/kepatuhan/", {"region": dringu}).status_code == 404
    assert login("asisten-pemkesra").get("/kepatuhan/", {"region": dringu}).status_code == 404
    assert login("bawaslu").get("/kepatuhan/").status_code == 404
    assert login("bupati").get("/kepatuhan/", {"region": "99.99"}).status_code == 404
    answer = api("camat-leces", region=dringu)
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"
    assert api("asisten-pemkesra", region=dringu).status_code == 404
    # an allowed reader of the same region
    assert login("asisten-adum").get("/kepatuhan/", {"region": dringu}).status_code == 200


def test_a_bad_date_is_refused(login, api):
    answer = api("bupati", date="27-11-2024")
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "invalid" and "date" in body["fields"]
    answer = api("bupati", since="2024-11-27", until="2024-11-01")
    assert answer.status_code == 400 and "until" in answer.json()["fields"]
    answer = api("bupati", date="0001-01-01")
    assert answer.status_code == 400
    assert login("bupati").get("/kepatuhan/", {"date": "kemarin"}).status_code == 400
    page = login("bupati").get("/kepatuhan/", {"since": "2024-11-27", "until": "2024-11-01"})
    assert page.status_code == 400


def test_without_a_token_the_api_answers_401(client):
    assert client.get(API).status_code == 401


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get("/kepatuhan/")
    assert response.status_code == 302 and "/masuk/" in response["Location"]


def test_the_page_takes_a_fixed_number_of_queries(voting_day, login, django_assert_max_num_queries):
    client = login("bupati")
    with django_assert_max_num_queries(25):
        page = client.get("/kepatuhan/", {"since": "2024-09-25", "until": "2024-11-28"})
    assert page.context["result"].expected > 1000
