"""The territory matrix of the API: every role, inside and outside its territory, on each kind of
call. Inside answers 2xx; outside answers 404 in the one error shape, with no data (missing and
forbidden look alike)."""

import uuid

import pytest

from pantau.api.tests.conftest import error_shape
from pantau.conftest import NGADISARI

pytestmark = pytest.mark.django_db

SUKAPURA = "35.13.01"
BANTARAN = "35.13.04"
KRAKSAAN = "35.13.14"
TONGAS = "35.13.23"
SEMAMPIR = "35.13.14.1003"  # a village of the Kraksaan field monitor

# role: (a region inside its territory, one outside (None: there is none))
PLACES = {
    "admin": (NGADISARI, None),
    "bupati": (TONGAS, None),
    "asisten-pemkesra": (SUKAPURA, KRAKSAAN),
    "camat-tongas": (TONGAS, NGADISARI),
    "opd-bakesbangpol": (BANTARAN, SUKAPURA),
    "desa-3513012001": (NGADISARI, TONGAS),
    "pemantau-kraksaan": (SEMAMPIR, NGADISARI),
}
CASES = [
    (username, where)
    for username, places in PLACES.items()
    for where, region in zip(("inside", "outside"), places, strict=True)
    if region is not None
]


@pytest.fixture
def made_by_admin(new_report, new_problem):
    """A report and a problem in `region`, made by someone who may (the admin)."""

    def _made(region):
        return new_report(username="admin", region=region), new_problem(
            username="admin", region=region
        )

    return _made


def report_body(region) -> dict:
    return {
        "client_id": str(uuid.uuid4()),
        "region": region,
        "observed_at": "2024-11-20T10:00:00+07:00",  # the campaign: no required questions
        "status": "aman",
    }


@pytest.mark.parametrize("username,where", CASES)
def test_the_matrix(api_as, made_by_admin, username, where):
    region = PLACES[username][0 if where == "inside" else 1]
    report, problem = made_by_admin(region)
    caller = api_as(username)
    responses = {
        "GET region": caller.get(f"/regions/{region}"),
        "POST report": caller.post("/reports", report_body(region)),
        "GET report": caller.get(f"/reports/{report.pk}"),
        "GET problem": caller.get(f"/problems/{problem.pk}"),
        "POST action": caller.post(
            f"/problems/{problem.pk}/actions", {"action": "verify", "version": 1}
        ),
    }
    if where == "inside":
        statuses = {call: r.status_code for call, r in responses.items()}
        assert statuses == {
            "GET region": 200,
            "POST report": 201,
            "GET report": 200,
            "GET problem": 200,
            "POST action": 200,
        }, {call: r.content[:200] for call, r in responses.items()}
        assert responses["POST action"].json()["status"] == "diverifikasi"
    else:
        for call, response in responses.items():
            assert response.status_code in (403, 404), call
            error_shape(response, response.status_code)
        problem.refresh_from_db()
        assert problem.status == "baru"


def test_the_matrix_of_an_external_agency(api_as, made_by_admin, act, users):
    referred_report, referred = made_by_admin(NGADISARI)
    _report, other = made_by_admin(NGADISARI)
    act(referred, "admin", "refer", agency=users["bawaslu"].agency)
    caller = api_as("bawaslu")
    # No region, no report: an agency's territory is what is referred to it.
    error_shape(caller.get(f"/regions/{NGADISARI}"), 404, "not_found")
    error_shape(caller.post("/reports", report_body(NGADISARI)), 404, "not_found")
    error_shape(caller.get(f"/reports/{referred_report.pk}"), 404, "not_found")
    # Inside: the referred problem, which it reads and answers, but does not handle.
    assert caller.get(f"/problems/{referred.pk}").status_code == 200
    answered = caller.post(
        f"/problems/{referred.pk}/actions", {"action": "comment", "note": "Diterima"}
    )
    assert answered.status_code == 200
    error_shape(
        caller.post(f"/problems/{referred.pk}/actions", {"action": "verify"}), 403, "forbidden"
    )
    # Outside: the other problem.
    error_shape(caller.get(f"/problems/{other.pk}"), 404, "not_found")
    error_shape(
        caller.post(f"/problems/{other.pk}/actions", {"action": "comment", "note": "x"}),
        404,
        "not_found",
    )
