"""POST /problems (idempotent by client_id), GET /problems (filters, pages), GET /problems/{id}
(with the timeline and referrals). An external agency sees what is referred to it."""

import datetime as dt
import uuid

import pytest
import time_machine
from django.utils import timezone

from pantau.api.tests.conftest import error_shape
from pantau.conftest import NGADISARI
from pantau.problems.models import Problem

pytestmark = pytest.mark.django_db

SUKAPURA = "35.13.01"
TONGAS = "35.13.23"


def problem_body(**changes) -> dict:
    body = {
        "client_id": str(uuid.uuid4()),
        "region": NGADISARI,
        "title": "Kotak suara belum tiba",
        "description": "Pukul 06.30 kotak suara belum ada di TPS 3.",
        "category": "logistik",
        "severity": "tinggi",
        "stage": "pemungutan",
        "suggestion": "Minta PPK mengantar dari gudang kecamatan.",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


def test_a_problem_is_created_with_its_level_owner_and_deadline(api_as):
    body = problem_body()
    response = api_as("desa-3513012001").post("/problems", body)
    assert response.status_code == 201, response.content
    got = response.json()
    problem = Problem.objects.get(pk=got["id"])
    assert got["client_id"] == body["client_id"]
    assert (got["status"], got["level"], got["owner"]) == ("baru", "desa", "desa-3513012001")
    assert got["due_at"] == got["acknowledge_due_at"] and got["overdue"] is False
    due = dt.datetime.fromisoformat(got["due_at"])
    assert abs(due - (problem.created_at + dt.timedelta(hours=4))) < dt.timedelta(seconds=1)
    assert (got["category"], got["severity"], got["stage"], got["region"]) == (
        "logistik",
        "tinggi",
        "pemungutan",
        NGADISARI,
    )
    assert got["title"] == body["title"] and got["suggestion"] == body["suggestion"]
    assert got["description"] == body["description"] and got["solution"] == ""
    assert got["reporter"] == "desa-3513012001" and got["version"] == 1
    assert [e["kind"] for e in got["events"]] == ["create"]
    assert got["events"][0]["actor"] == "desa-3513012001"
    assert got["referrals"] == []
    assert "verify" in got["actions"] and "resolve" not in got["actions"]


def test_a_kecamatan_problem_belongs_to_the_camat(api_as):
    got = api_as("opd-bakesbangpol").post("/problems", problem_body(region=TONGAS)).json()
    assert (got["level"], got["owner"], got["reporter"]) == (
        "kecamatan",
        "camat-tongas",
        "opd-bakesbangpol",
    )


def test_the_same_problem_sent_five_times_is_stored_once(api_as):
    caller = api_as("desa-3513012001")
    body = problem_body()
    responses = [caller.post("/problems", body) for _ in range(5)]
    assert [r.status_code for r in responses] == [201, 200, 200, 200, 200]
    assert len({r.json()["id"] for r in responses}) == 1
    assert Problem.objects.filter(client_id=body["client_id"]).count() == 1


def test_a_problem_from_a_report(api_as, new_report):
    report = new_report()
    got = api_as("desa-3513012001").post("/problems", problem_body(report=report.pk)).json()
    assert got["report"] == report.pk


def test_a_source_report_outside_the_territory_is_refused(api_as, new_report):
    report = new_report(username="camat-tongas", region=TONGAS)
    response = api_as("desa-3513012001").post("/problems", problem_body(report=report.pk))
    assert set(error_shape(response, 400, "invalid")["fields"]) == {"report"}


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"category": "tidak-ada"}, "category"),
        ({"severity": "parah"}, "severity"),
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"stage": "tidak-ada"}, "stage"),
        ({"client_id": 5}, "client_id"),
        ({"report": "satu"}, "report"),
        ({"report": 2**70}, "report"),
        ({"region": ...}, "region"),
    ],
)
def test_a_bad_problem_is_400_naming_the_field(api_as, changes, field):
    response = api_as("desa-3513012001").post("/problems", problem_body(**changes))
    assert field in error_shape(response, 400)["fields"]


def test_a_problem_outside_the_territory_is_404(api_as):
    error_shape(api_as("camat-tongas").post("/problems", problem_body()), 404, "not_found")
    error_shape(api_as("bawaslu").post("/problems", problem_body()), 404, "not_found")


def test_one_problem_with_its_timeline_and_referrals(api_as, new_problem, act, users):
    problem = new_problem()
    act(problem, "desa-3513012001", "verify")
    act(problem, "desa-3513012001", "refer", agency=users["bawaslu"].agency, note="Mohon cek")
    got = api_as("camat-sukapura").get(f"/problems/{problem.pk}").json()
    assert [e["kind"] for e in got["events"]] == ["create", "verify", "refer"]
    verify = got["events"][1]
    assert (verify["from_status"], verify["to_status"]) == ("baru", "diverifikasi")
    assert (verify["from_level"], verify["to_level"]) == ("desa", "desa")
    assert verify["actor"] == "desa-3513012001" and verify["at"]
    assert got["events"][2]["agency"] == "bawaslu"
    (referral,) = got["referrals"]
    assert (referral["agency"], referral["referred_by"], referral["note"]) == (
        "bawaslu",
        "desa-3513012001",
        "Mohon cek",
    )
    assert referral["answer"] == "" and referral["answered_at"] is None


def test_a_problem_outside_is_404_without_data(api_as, new_problem):
    problem = new_problem()
    body = error_shape(api_as("camat-tongas").get(f"/problems/{problem.pk}"), 404, "not_found")
    assert "title" not in body
    error_shape(api_as("camat-tongas").get("/problems/99999999"), 404, "not_found")


def test_an_external_agency_sees_what_is_referred_to_it(api_as, new_problem, act, users):
    referred, other = new_problem(title="Dirujuk"), new_problem(title="Tidak dirujuk")
    bawaslu = api_as("bawaslu")
    error_shape(bawaslu.get(f"/problems/{referred.pk}"), 404, "not_found")
    act(referred, "desa-3513012001", "refer", agency=users["bawaslu"].agency)
    assert bawaslu.get(f"/problems/{referred.pk}").status_code == 200
    error_shape(bawaslu.get(f"/problems/{other.pk}"), 404, "not_found")
    listed = [p["id"] for p in bawaslu.get("/problems").json()["items"]]
    assert referred.pk in listed and other.pk not in listed


@pytest.fixture
def four(new_problem, act):
    problems = {
        "village": new_problem(severity="kritis", category="politik-uang"),
        "sukapura": new_problem(username="camat-sukapura", region=SUKAPURA, severity="rendah"),
        "verified": new_problem(severity="sedang"),
        "tongas": new_problem(username="camat-tongas", region=TONGAS),
    }
    act(problems["verified"], "desa-3513012001", "verify")
    return problems


def listed(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


@pytest.mark.parametrize(
    "query,expected",
    [
        ({}, {"village", "sukapura", "verified"}),
        ({"status": "baru"}, {"village", "sukapura"}),
        ({"status": "diverifikasi"}, {"verified"}),
        ({"status": "open"}, {"village", "sukapura", "verified"}),
        ({"level": "kecamatan"}, {"sukapura"}),
        ({"level": "desa"}, {"village", "verified"}),
        ({"severity": "kritis"}, {"village"}),
        ({"category": "politik-uang"}, {"village"}),
        ({"region": NGADISARI}, {"village", "verified"}),
        ({"region": SUKAPURA}, {"village", "sukapura", "verified"}),
        ({"region": TONGAS}, set()),  # outside the camat's territory
        ({"overdue": "true"}, set()),
    ],
)
def test_the_filters_narrow_the_list(api_as, four, query, expected):
    shown = listed(api_as("camat-sukapura").get("/problems", query))
    assert {k for k, p in four.items() if p.pk in shown} == expected


def test_the_overdue_filter(api_as, four):
    caller = api_as("camat-sukapura")
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        # kritis: one hour to verify
        shown = listed(caller.get("/problems", {"overdue": "true"}))
        assert {k for k, p in four.items() if p.pk in shown} == {"village"}
        got = caller.get(f"/problems/{four['village'].pk}").json()
        assert got["overdue"] is True
        not_overdue = listed(caller.get("/problems", {"overdue": "false"}))
        assert four["village"].pk not in not_overdue and four["sukapura"].pk in not_overdue


@pytest.mark.parametrize(
    "query,field",
    [
        ({"status": "hilang"}, "status"),
        ({"level": "provinsi"}, "level"),
        ({"category": "tidak-ada"}, "category"),
        ({"overdue": "mungkin"}, "overdue"),
        ({"page": "-1"}, "page"),
    ],
)
def test_a_bad_filter_is_400(api_as, query, field):
    body = error_shape(api_as("camat-sukapura").get("/problems", query), 400, "invalid")
    assert set(body["fields"]) == {field}


def test_the_list_pages_by_50(api_as, new_problem, django_assert_max_num_queries):
    caller = api_as("desa-3513012001")
    before = caller.get("/problems", {"severity": "rendah"}).json()["count"]
    for n in range(51 - before):
        new_problem(severity="rendah", title=f"Masalah {n}")
    with django_assert_max_num_queries(6):
        first = caller.get("/problems", {"severity": "rendah"}).json()
    assert first["count"] == 51 and len(first["items"]) == 50
    assert "page=2" in first["next"] and "severity=rendah" in first["next"]
    second = caller.client.get(first["next"], headers=caller.headers).json()
    assert len(second["items"]) == 1 and second["next"] is None
