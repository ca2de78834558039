"""GET /me, /regions, /regions/{code}, /clusters: each caller sees their own territory."""

import pytest

from pantau.api.tests.conftest import error_shape

pytestmark = pytest.mark.django_db

KABUPATEN = "35.13"
SUKAPURA = "35.13.01"
BANTARAN = "35.13.04"
KRAKSAAN = "35.13.14"
TONGAS = "35.13.23"
NGADISARI = "35.13.01.2001"
KRAKSAAN_VILLAGES = ["35.13.14.1003", "35.13.14.1007", "35.13.14.2001"]


@pytest.mark.parametrize(
    "username,role,regions,level",
    [
        ("admin", "admin", [KABUPATEN], "kabupaten"),
        ("bupati", "bupati", [KABUPATEN], "kabupaten"),
        (
            "asisten-pemkesra",
            "coordinator",
            [
                "35.13.01",
                "35.13.02",
                "35.13.03",
                "35.13.04",
                "35.13.21",
                "35.13.22",
                "35.13.23",
                "35.13.24",
            ],
            "koordinator",
        ),
        ("camat-tongas", "camat", [TONGAS], "kecamatan"),
        ("opd-bakesbangpol", "opd", [BANTARAN, TONGAS], "kecamatan"),
        ("desa-3513012001", "village", [NGADISARI], "desa"),
        ("pemantau-kraksaan", "monitor", KRAKSAAN_VILLAGES, "desa"),
        ("bawaslu", "agency", [], None),
    ],
)
def test_me_names_the_caller_and_their_territory(api_as, username, role, regions, level):
    response = api_as(username).get("/me")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == username and body["full_name"]
    assert (body["role"], body["regions"], body["level"]) == (role, regions, level)


def test_an_agency_account_names_its_agency(api_as):
    assert api_as("bawaslu").get("/me").json()["agency"] == "bawaslu"
    assert api_as("camat-tongas").get("/me").json()["agency"] is None


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["items"])
    return [item["code"] for item in body["items"]]


def test_regions_are_the_territory(api_as):
    assert codes(api_as("desa-3513012001").get("/regions")) == [NGADISARI]
    assert codes(api_as("pemantau-kraksaan").get("/regions")) == KRAKSAAN_VILLAGES
    tongas = codes(api_as("camat-tongas").get("/regions"))
    assert tongas[0] == TONGAS and len(tongas) > 1
    assert all(code == TONGAS or code.startswith(TONGAS + ".") for code in tongas)
    assert codes(api_as("bawaslu").get("/regions")) == []


def test_regions_by_parent_and_level(api_as):
    bupati = api_as("bupati")
    kecamatan = codes(bupati.get("/regions", {"level": "kecamatan"}))
    assert len(kecamatan) == 24 and SUKAPURA in kecamatan
    villages = bupati.get("/regions", {"parent": SUKAPURA}).json()["items"]
    assert villages and all(v["parent"] == SUKAPURA and v["level"] == "desa" for v in villages)
    assert NGADISARI in [v["code"] for v in villages]
    # Children of a region outside the territory: none, not an error.
    assert codes(api_as("camat-tongas").get("/regions", {"parent": SUKAPURA})) == []
    # The regency's children that a camat sees: their kecamatan.
    assert codes(api_as("camat-tongas").get("/regions", {"parent": KABUPATEN})) == [TONGAS]


def test_region_rows_have_the_contract_fields(api_as):
    item = api_as("desa-3513012001").get("/regions").json()["items"][0]
    assert item == {"code": NGADISARI, "name": "Ngadisari", "level": "desa", "parent": SUKAPURA}


def test_the_region_list_does_not_load_boundaries(api_as, django_assert_max_num_queries):
    caller = api_as("bupati")
    with django_assert_max_num_queries(6):
        response = caller.get("/regions")
    assert "geometry" not in response.content.decode()


def test_an_unknown_level_is_400(api_as):
    body = error_shape(api_as("bupati").get("/regions", {"level": "negara"}), 400, "invalid")
    assert set(body["fields"]) == {"level"}


def test_one_region_inside_with_its_boundary_on_request(api_as):
    caller = api_as("camat-sukapura")
    plain = caller.get(f"/regions/{NGADISARI}").json()
    assert (plain["code"], plain["parent"], plain["level"]) == (NGADISARI, SUKAPURA, "desa")
    assert plain["title"] == "Desa Ngadisari" and plain["geometry"] is None
    shaped = caller.get(f"/regions/{NGADISARI}", {"geometry": "1"}).json()
    assert shaped["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    assert shaped["geometry"]["coordinates"]


@pytest.mark.parametrize("code", [NGADISARI, "35.13.99", "35", "tidak-ada"])
def test_a_region_outside_or_missing_is_the_same_404(api_as, code):
    body = error_shape(api_as("camat-tongas").get(f"/regions/{code}"), 404, "not_found")
    assert "name" not in body and "geometry" not in body


def test_an_agency_sees_no_region(api_as):
    error_shape(api_as("bawaslu").get(f"/regions/{TONGAS}"), 404, "not_found")


def test_clusters_for_the_whole_regency(api_as):
    items = api_as("bupati").get("/clusters").json()["items"]
    assert [c["code"] for c in items] == ["pemkesra", "adum", "ekbang"]
    first = items[0]
    assert first["coordinator"]["username"] == "asisten-pemkesra"
    assert first["coordinator"]["full_name"] and first["coordinator"]["position"]
    assert len(first["kecamatan"]) == 8 and SUKAPURA in first["kecamatan"]
    assert {c["code"] for c in api_as("admin").get("/clusters").json()["items"]} == {
        "pemkesra",
        "adum",
        "ekbang",
    }


@pytest.mark.parametrize(
    "username,expected",
    [
        ("asisten-ekbang", ["ekbang"]),
        ("camat-tongas", []),
        ("desa-3513012001", []),
        ("bawaslu", []),
    ],
)
def test_clusters_follow_the_territory(api_as, username, expected):
    body = api_as(username).get("/clusters").json()
    assert [c["code"] for c in body["items"]] == expected
    assert body["count"] == len(expected)


def test_a_seat_without_holder_is_null(api_as, users):
    holder = users["asisten-adum"]
    holder.position = None
    holder.save(update_fields=["position"])
    items = {c["code"]: c for c in api_as("bupati").get("/clusters").json()["items"]}
    assert items["adum"]["coordinator"]["username"] is None
    assert items["adum"]["coordinator"]["full_name"] is None
    assert items["adum"]["coordinator"]["position"]


def test_clusters_cost_a_fixed_number_of_queries(api_as, django_assert_max_num_queries):
    caller = api_as("bupati")
    with django_assert_max_num_queries(6):
        assert caller.get("/clusters").status_code == 200
