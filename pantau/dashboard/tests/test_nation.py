"""The national dashboard (?region=ID): the nation's figures and one row per province, for a
user whose territory is everything; a 404 for everyone else, as for a region outside their
territory."""

import pytest

from pantau.accounts.tests.test_access_matrix import MATRIX
from pantau.api.tests.conftest import error_shape
from pantau.dashboard import selectors
from pantau.instruction.models import Operation
from pantau.regions.models import NATION_CODE, NATIONAL, Level, Region
from pantau.tests.helpers import page_message

pytestmark = pytest.mark.django_db
TONGAS = "35.13.23"
NTB = "52"  # a second province, without reports or problems
KEYS = ("region", "situation", "totals", "by_severity", "by_category")


@pytest.fixture
def provinces(db):
    """Jawa Timur (the demo's, made if the regions lack it) and Nusa Tenggara Barat."""
    jatim, _ = Region.objects.get_or_create(
        code="35", defaults={"name": "Jawa Timur", "level": Level.PROVINSI}
    )
    Region.objects.filter(code="35.13").update(parent=jatim)
    ntb = Region.objects.create(code=NTB, name="Nusa Tenggara Barat", level=Level.PROVINSI)
    Region.objects.create(code="52.01", name="Lombok Barat", level=Level.KABUPATEN, parent=ntb)
    return ["35", NTB]


@pytest.fixture
def figures(new_report, new_problem, act):
    new_report(situation="waspada")
    new_problem("camat-tongas", region=TONGAS, severity="kritis")
    solved = new_problem("camat-tongas", region=TONGAS, severity="rendah", category="logistik")
    act(solved, "camat-tongas", "verify")
    act(solved, "camat-tongas", "start")
    act(solved, "camat-tongas", "resolve", solution="Selesai.")


def test_the_nation_sums_its_provinces_one_row_each(users, provinces, figures):
    admin = users["admin"]
    nation = selectors.dashboard_region(admin, NATION_CODE)
    assert nation.is_nation
    data = selectors.summary(user=admin, region=nation)
    assert data["region"] == {
        "code": NATION_CODE,
        "name": nation.name,
        "level": NATIONAL,
        "title": nation.title,
    }
    assert sorted(c["code"] for c in data["children"]) == provinces
    assert {c["level"] for c in data["children"]} == {Level.PROVINSI}
    jatim = selectors.summary(user=admin, region=Region.objects.get(code="35"))
    for key in ("situation", "totals", "by_severity", "by_category"):
        assert data[key] == jatim[key], key
    assert data["totals"]["problems_open"] > 0 and data["totals"]["problems_resolved"] > 0
    assert data["by_severity"]["kritis"] > 0
    row = next(c for c in data["children"] if c["code"] == "35")
    assert row["problems_open"] == jatim["totals"]["problems_open"]
    assert row["reports"] == jatim["totals"]["reports"] > 0
    empty = next(c for c in data["children"] if c["code"] == NTB)
    assert (empty["situation"], empty["reports"], empty["problems_open"]) == ("unknown", 0, 0)
    assert data["reporting_rate"] is None  # compliance is per operation: no national figure
    series = selectors.timeseries(user=admin, region=nation)
    assert series == selectors.timeseries(user=admin, region=Region.objects.get(code="35"))
    assert len(selectors.feed(user=admin, region=nation)) >= 1


def test_the_page_panels_map_and_api_open_the_nation(login, api_as, provinces, figures):
    client = login("admin")
    # "period=" (everything, as of now): what the API answers by default; without it the page
    # would open on the demo operation's latest day (figures.days)
    response = client.get(f"/dasbor/?region={NATION_CODE}&period=")
    assert response.status_code == 200
    page = response.context["data"]
    assert response.context["region"].is_nation and response.context["ancestors"] == []
    assert sorted(c["code"] for c in page["children"]) == provinces
    assert response.content.decode().count('<li class="kid kid-') == len(provinces)
    panels = client.get(f"/dasbor/?region={NATION_CODE}&period=", headers={"HX-Request": "true"})
    assert panels.status_code == 200 and panels.context["data"] == page

    geo = client.get(f"/dasbor/peta.geojson?region={NATION_CODE}")
    assert geo.status_code == 200
    body = geo.json()
    # bounded: the provinces, never the villages
    assert [f["id"] for f in body["features"]] == [c["code"] for c in page["children"]]
    assert body["outline"] is None and body["region"]["level"] == NATIONAL

    api = api_as("admin")
    response = api.get("/dashboard", {"region": NATION_CODE})
    assert response.status_code == 200, response.content
    found = response.json()
    for key in KEYS:
        assert found[key] == page[key], key
    assert [c["code"] for c in found["children"]] == [c["code"] for c in page["children"]]
    response = api.get("/map.geojson", {"region": NATION_CODE})
    assert response.status_code == 200, response.content
    assert [f["id"] for f in response.json()["features"]] == [f["id"] for f in body["features"]]


@pytest.mark.parametrize("role", MATRIX)
def test_only_the_administrator_opens_the_nation(login, api_as, provinces, role):
    username = MATRIX[role][0]
    client = login(username)
    urls = [f"/dasbor/?region={NATION_CODE}", f"/dasbor/peta.geojson?region={NATION_CODE}"]
    api = api_as(username)
    if role == "admin":
        assert [client.get(url).status_code for url in urls] == [200, 200]
        assert api.get("/dashboard", {"region": NATION_CODE}).status_code == 200
        return
    for url in urls:
        forbidden = client.get(url)
        missing = client.get(url.replace(NATION_CODE, "99.99"))
        assert forbidden.status_code == missing.status_code == 404
        assert page_message(forbidden) == page_message(missing)
    for path in ("/dashboard", "/map.geojson"):
        error_shape(api.get(path, {"region": NATION_CODE}), 404, "not_found")


def test_the_breadcrumbs_start_at_the_nation_for_the_administrator(users, provinces):
    kabupaten = Region.objects.get(code="35.13")
    crumbs = [r.code for r in selectors.ancestors(users["admin"], kabupaten)]
    assert crumbs == [NATION_CODE, "35"]
    assert NATION_CODE not in [r.code for r in selectors.ancestors(users["bupati"], kabupaten)]
    assert selectors.ancestors(users["admin"], Region.nation()) == []


def test_the_administrator_lands_on_the_operation_and_else_on_the_nation(users, provinces):
    admin = users["admin"]
    # a regency deployment: the active operation's kabupaten, as before
    assert selectors.dashboard_region(admin).code == "35.13"
    assert selectors.dashboard_region(users["bupati"]).code == "35.13"
    # no operation in use (a draft only; or several, in several provinces): the nation
    Operation.objects.update(status="draft")
    assert selectors.dashboard_region(admin).is_nation


def test_the_national_page_takes_a_bounded_number_of_queries(
    login, provinces, django_assert_max_num_queries
):
    client = login("admin")
    client.get(f"/dasbor/?region={NATION_CODE}")
    with django_assert_max_num_queries(55):
        assert client.get(f"/dasbor/?region={NATION_CODE}").status_code == 200
