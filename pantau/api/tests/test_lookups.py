"""GET /categories, /agencies, /stages, /checklists: the instruction's lists, for every caller."""

import pytest

from pantau.api.tests.conftest import error_shape
from pantau.instruction.models import Agency, Category, Stage

pytestmark = pytest.mark.django_db

CALLS = ["/categories", "/agencies", "/stages", "/checklists"]


@pytest.mark.parametrize("path", CALLS)
def test_the_lists_need_a_token(api_as, path):
    error_shape(api_as(None).get(path), 401, "not_authenticated")


@pytest.mark.parametrize("path", CALLS)
@pytest.mark.parametrize("username", ["admin", "camat-tongas", "desa-3513012001", "bawaslu"])
def test_every_caller_reads_the_lists(api_as, path, username):
    response = api_as(username).get(path)
    assert response.status_code == 200 and response.json()["items"]


def test_categories_are_the_active_ones(api_as):
    caller = api_as("camat-tongas")
    items = caller.get("/categories").json()["items"]
    assert {"code": "logistik", "name": "Logistik pemilihan"} in items
    assert all(set(item) == {"code", "name"} for item in items)
    Category.objects.filter(code="logistik").update(is_active=False)
    assert "logistik" not in [c["code"] for c in caller.get("/categories").json()["items"]]


def test_agencies_with_their_kind(api_as):
    caller = api_as("camat-tongas")
    items = {a["code"]: a for a in caller.get("/agencies").json()["items"]}
    assert items["bawaslu"]["kind"] == "external"
    assert items["bakesbangpol"]["kind"] == "opd"
    assert {"kpu", "polres", "kodim", "satpolpp", "bpbd"} <= set(items)
    assert all(a["name"] for a in items.values())
    Agency.objects.filter(code="kodim").update(is_active=False)
    assert "kodim" not in [a["code"] for a in caller.get("/agencies").json()["items"]]


def test_stages_in_calendar_order_with_their_dates(api_as):
    caller = api_as("camat-tongas")
    items = caller.get("/stages").json()["items"]
    assert [s["code"] for s in items] == ["kampanye", "masa-tenang", "pemungutan", "rekapitulasi"]
    assert items[2] == {
        "code": "pemungutan",
        "operation": "pilkada-2024-probolinggo",
        "name": items[2]["name"],
        "starts_on": "2024-11-27",
        "ends_on": "2024-11-28",
    }
    Stage.objects.filter(code="rekapitulasi").update(is_active=False)
    assert "rekapitulasi" not in [s["code"] for s in caller.get("/stages").json()["items"]]


def test_checklists_with_their_questions(api_as):
    caller = api_as("camat-tongas")
    items = caller.get("/checklists").json()["items"]
    assert {c["code"] for c in items} >= {"kampanye", "h-1-logistik-tps", "pemungutan"}
    voting = caller.get("/checklists", {"stage": "pemungutan"}).json()["items"]
    assert [c["code"] for c in voting] == ["pemungutan", "penghitungan"]
    assert {c["stage"] for c in voting} == {"pemungutan"}
    question = voting[0]["questions"][0]
    assert (question["code"], question["type"], question["required"]) == (
        "tps_buka_tepat",
        "yes_no",
        True,
    )
    assert caller.get("/checklists", {"stage": "tidak-ada"}).json()["items"] == []


def test_the_lists_take_two_queries(api_as, django_assert_num_queries):
    caller = api_as("camat-tongas")
    caller.get("/stages")  # the token's first use writes last_used_at
    for path in CALLS:
        with django_assert_num_queries(2):  # the token, the list
            caller.get(path)
