"""The dashboard page, its refreshed panels, its map GeoJSON and the API: same figures, same
territory."""

import datetime as dt

import pytest
import time_machine
from django.templatetags.static import static

from pantau.api.tests.conftest import error_shape
from pantau.lib.clock import WIB

TONGAS = "35.13.23"
PAITON = "35.13.12"
pytestmark = pytest.mark.django_db
FIGURES = ("code", "name", "situation", "problems_open", "problems_overdue", "reporting_rate")


def test_it_asks_to_log_in(client):
    response = client.get("/dasbor/")
    assert response.status_code == 302 and "/masuk/" in response["Location"]
    assert client.get("/dasbor/peta.geojson").status_code == 302


@pytest.mark.parametrize(
    "username, region, count",
    [("bupati", "35.13", 24), ("asisten-adum", "35.13", 8), ("camat-tongas", TONGAS, 14)],
)
def test_the_page_shows_the_territory(login, username, region, count):
    response = login(username).get("/dasbor/")
    assert response.status_code == 200
    data = response.context["data"]
    assert data["region"]["code"] == region
    assert len(data["children"]) == count
    html = response.content.decode()
    assert html.count('<li class="kid kid-') == count
    assert 'hx-trigger="every 60s"' in html
    assert f'data-geojson-url="/dasbor/peta.geojson?region={region}"' in html
    assert static("leaflet/leaflet.js") in html and static("dashboard/map.js") in html
    assert 'id="situation-rule"' in html


def test_the_panels_come_alone_for_htmx(login):
    response = login("bupati").get("/dasbor/?period=today", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.startswith('<div id="panels"') and "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_it_drills_down_and_refuses_outside_the_territory(login):
    client = login("camat-tongas")
    assert client.get(f"/dasbor/?region={PAITON}").status_code == 404
    assert client.get(f"/dasbor/peta.geojson?region={PAITON}").status_code == 404
    response = client.get(f"/dasbor/?region={TONGAS}.2001")
    assert response.status_code == 200
    assert response.context["region"].code == f"{TONGAS}.2001"
    client = login("bupati")
    response = client.get(f"/dasbor/?region={TONGAS}")
    assert len(response.context["data"]["children"]) == 14


def test_a_village_account_sees_its_village(login):
    response = login("desa-3513012001").get("/dasbor/")
    assert response.status_code == 200
    assert response.context["region"].code == "35.13.01.2001"
    assert response.context["clusters"] == []


def test_the_map_is_the_territory_s_children(login):
    client = login("asisten-adum")
    response = client.get("/dasbor/peta.geojson")
    assert response["Content-Type"].startswith("application/geo+json")
    body = response.json()
    assert body["type"] == "FeatureCollection"
    page = client.get("/dasbor/").context["data"]
    # (the page lists them trouble first; the map draws them all, in any order)
    rows = {c["code"]: c for c in page["children"]}
    assert sorted(f["id"] for f in body["features"]) == sorted(rows)
    for feature in body["features"]:
        row = rows[feature["id"]]
        assert feature["geometry"]["type"] in ("Polygon", "MultiPolygon")
        assert feature["properties"] == {
            **{k: row[k] for k in (*FIGURES, "reports", "by_severity")},
            "level": "kecamatan",
        }


def test_the_map_carries_located_reports_and_problems(login, new_problem):
    problem = new_problem("camat-tongas", region=TONGAS, lat=-7.75, lon=113.1)
    body = login("camat-tongas").get("/dasbor/peta.geojson").json()
    assert {"kind": "problem", "id": problem.pk} in [
        {"kind": m["kind"], "id": m["id"]} for m in body["markers"]
    ]
    other = login("asisten-adum").get("/dasbor/peta.geojson").json()
    assert problem.pk not in [m["id"] for m in other["markers"] if m["kind"] == "problem"]


@pytest.mark.parametrize("username", ["bupati", "asisten-pemkesra", "camat-tongas"])
def test_the_api_gives_what_the_page_shows(login, api_as, username, new_problem):
    new_problem("camat-tongas", region=TONGAS, severity="kritis")
    query = "?period=range&start=2024-11-01&end=2030-12-31"
    page = login(username).get("/dasbor/" + query).context["data"]
    api = api_as(username)
    params = {"since": "2024-11-01T00:00:00+07:00", "until": "2031-01-01T00:00:00+07:00"}
    response = api.get("/dashboard", params)
    assert response.status_code == 200, response.content
    body = response.json()
    for key in ("region", "situation", "totals", "by_severity", "by_category"):
        assert body[key] == page[key], key
    # (the same figures; the page lists them trouble first)
    assert sorted([{k: c[k] for k in FIGURES} for c in body["children"]], key=str) == sorted(
        [{k: c[k] for k in FIGURES} for c in page["children"]], key=str
    )
    geo = api.get("/map.geojson", {"region": body["region"]["code"], **params}).json()
    assert [f["properties"]["code"] for f in geo["features"]] == [
        c["code"] for c in body["children"]
    ]


def test_the_api_answers_404_outside_the_territory(api_as):
    api = api_as("camat-tongas")
    error_shape(api.get("/dashboard", {"region": PAITON}), 404, "not_found")
    error_shape(api.get("/map.geojson", {"region": PAITON}), 404, "not_found")
    error_shape(api.get("/dashboard", {"category": "no-such"}), 404, "not_found")
    error_shape(api_as(None).get("/dashboard"), 401)


def test_the_page_takes_a_bounded_number_of_queries(login, django_assert_max_num_queries):
    client = login("bupati")
    client.get("/dasbor/")  # (the session and the territory's first look-ups)
    # (constant, whatever the data: the feed's and the latest lists' LIMITed look-ups take up
    # to one query per time window and per severity, see selectors.newest and latest; the
    # kecamatan's figures and reporting rates are read once, for the summary and the clusters;
    # up to 4 more choose the day it opens on, figures.days: operation, stages, latest data)
    with django_assert_max_num_queries(44):
        assert client.get("/dasbor/").status_code == 200


def test_the_rows_link_to_the_kecamatan_with_the_same_filters(login):
    response = login("bupati").get("/dasbor/?period=today")
    html = response.content.decode()
    data, clusters = response.context["data"], response.context["clusters"]
    link = f'href="/dasbor/?period=today&amp;region={TONGAS}"'
    assert html.count(link) == 2  # the children list and the cluster's table
    tongas = next(c for c in data["children"] if c["code"] == TONGAS)
    assert (
        f'<li class="kid kid-{tongas["situation"]}" data-code="{TONGAS}" '
        f'data-situation="{tongas["situation"]}" '
        f'data-open="{tongas["problems_open"]}" data-overdue="{tongas["problems_overdue"]}">'
    ) in html
    rows = sum(len(c["kecamatan"]) for c in clusters)
    assert rows == 24 and html.count('<tr data-code="35.13.') == rows


def test_the_lists_put_the_areas_in_trouble_first(login, no_demo_reports, new_problem):
    """Without the demo's scheduled reports most kecamatan have no data: they come last."""
    new_problem(severity="kritis", username="camat-tongas", region="35.13.23.2001")
    response = login("bupati").get("/dasbor/")
    html = response.content.decode()

    def key(k):
        rank = ("rawan", "waspada", "aman", "unknown").index(k["situation"])
        return (rank, -k["problems_overdue"], -k["problems_open"])

    kids = response.context["data"]["children"]
    assert [key(k) for k in kids] == sorted(key(k) for k in kids)
    assert kids[0]["situation"] == "rawan" and kids[-1]["situation"] == "unknown"
    assert next(k for k in kids if k["code"] == TONGAS)["situation"] == "rawan"
    codes = [k["code"] for k in kids]
    assert [
        html.index(f'class="kid kid-{k["situation"]}" data-code="{k["code"]}"') for k in kids
    ] == sorted(
        html.index(f'class="kid kid-{k["situation"]}" data-code="{k["code"]}"') for k in kids
    ), codes
    for cluster in response.context["clusters"]:
        ranks = [key(k) for k in cluster["kecamatan"]]
        assert ranks == sorted(ranks)
    # every figure in words: severities and categories by name, no bare codes or "0/0/0/0"
    assert "1 kritis" in html and "0/0/0/0" not in html and "logistik:" not in html


def test_outside_the_stages_the_page_shows_the_latest_day_with_data_and_says_so(login):
    """Today is after the demo's Pilkada 2024: the desk opens as it stood at the end of the
    operation's latest day with data (the day /kepatuhan/ opens on too), and says so."""
    client = login("bupati")
    page = client.get("/dasbor/")
    opening = page.context["opening"]
    assert opening.moved
    # /kepatuhan/ opens on the latest of those days that expects reports (the demo's last
    # problem is on 29 November, in the recapitulation, when no report is due), and says so
    compliance = client.get("/kepatuhan/")
    assert compliance.context["start"] == dt.date(2024, 11, 28) <= opening.day
    assert compliance.context["opening"].moved and compliance.context["result"].expected > 0
    assert page.context["now"] == opening.end()
    html = page.content.decode()
    assert "Hari ini di luar tahapan" in html
    assert f'data-opening-day="{opening.day:%Y-%m-%d}"' in html
    # the refreshed panels and the map read the same day
    panels = client.get("/dasbor/", headers={"HX-Request": "true"})
    assert panels.context["now"] == opening.end()


def test_a_period_in_the_url_wins_over_the_opening_day(login):
    client = login("bupati")
    for params in ({"period": ""}, {"period": "today"}, {"period": "range", "start": "2024-11-27"}):
        page = client.get("/dasbor/", params)
        assert page.context["opening"] is None
        assert "Hari ini di luar tahapan" not in page.content.decode()


def test_inside_the_stages_the_page_shows_today(login):
    client = login("bupati")
    moment = dt.datetime(2024, 11, 27, 15, 0, tzinfo=WIB)
    with time_machine.travel(moment, tick=False):
        page = client.get("/dasbor/")
    assert not page.context["opening"].moved and page.context["now"] == moment
    assert "Hari ini di luar tahapan" not in page.content.decode()
