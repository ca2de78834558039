"""POST /problems/{id}/actions: a problem walks through its states over the API; a transition
the state does not allow and a stale version are 409, an action above the caller's level is 403,
outside the territory 404."""

import uuid

import pytest

from pantau.api.tests.conftest import error_shape
from pantau.conftest import NGADISARI
from pantau.problems.models import Problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def created(api_as):
    body = {
        "client_id": str(uuid.uuid4()),
        "region": NGADISARI,
        "title": "Surat suara kurang",
        "category": "logistik",
        "severity": "tinggi",
    }
    response = api_as("desa-3513012001").post("/problems", body)
    assert response.status_code == 201
    return response.json()


def do(caller, problem_id, action, **fields):
    return caller.post(f"/problems/{problem_id}/actions", {"action": action, **fields})


def test_a_problem_walks_from_the_village_to_solved_and_back(api_as, created):
    village, camat, bawaslu = api_as("desa-3513012001"), api_as("camat-sukapura"), api_as("bawaslu")
    pid = created["id"]

    got = do(village, pid, "verify", version=1).json()
    assert (got["status"], got["version"]) == ("diverifikasi", 2)
    got = do(village, pid, "start", note="Menghubungi PPS", version=2).json()
    assert got["status"] == "ditangani"
    got = do(village, pid, "escalate", note="Perlu bantuan kecamatan").json()
    assert (got["level"], got["owner"], got["status"]) == (
        "kecamatan",
        "camat-sukapura",
        "ditangani",
    )
    # Above the village now: the village may still read and comment, not act.
    error_shape(do(village, pid, "resolve", solution="Sudah"), 403, "forbidden")
    assert do(village, pid, "comment", note="Kami menunggu").status_code == 200

    got = do(camat, pid, "refer", agency="bawaslu", note="Mohon pengawasan").json()
    assert [r["agency"] for r in got["referrals"]] == ["bawaslu"]
    error_shape(do(camat, pid, "refer", agency="bawaslu"), 409, "already_referred")
    # The agency answers with a comment.
    got = do(bawaslu, pid, "comment", note="Pengawas sudah di lokasi").json()
    assert got["referrals"][0]["answer"] == "Pengawas sudah di lokasi"
    assert got["referrals"][0]["answered_by"] == "bawaslu"
    error_shape(do(bawaslu, pid, "resolve", solution="x"), 403, "forbidden")

    body = error_shape(do(camat, pid, "resolve"), 400, "required")
    assert set(body["fields"]) == {"solution"}
    got = do(camat, pid, "resolve", solution="Surat suara cadangan dikirim").json()
    assert (got["status"], got["solution"]) == ("selesai", "Surat suara cadangan dikirim")
    assert got["resolved_at"] and got["due_at"] is None and got["overdue"] is False
    error_shape(do(camat, pid, "resolve", solution="lagi"), 409, "invalid_transition")

    error_shape(do(camat, pid, "reopen"), 400, "required")
    got = do(camat, pid, "reopen", note="Ternyata masih kurang").json()
    assert got["status"] == "diverifikasi"
    kinds = [e["kind"] for e in got["events"]]
    assert kinds == [
        "create",
        "verify",
        "start",
        "escalate",
        "comment",
        "refer",
        "answer",
        "resolve",
        "reopen",
    ]
    assert got["events"][3]["from_level"] == "desa" and got["events"][3]["to_level"] == "kecamatan"
    assert "reopen" not in got["actions"] and "start" in got["actions"]


def test_a_transition_not_allowed_is_409_and_changes_nothing(api_as, created):
    caller = api_as("desa-3513012001")
    for action in ("start", "resolve", "reopen"):
        extra = {"solution": "y"} if action == "resolve" else {}
        error_shape(do(caller, created["id"], action, note="x", **extra), 409, "invalid_transition")
    problem = Problem.objects.get(pk=created["id"])
    assert (problem.status, problem.version) == ("baru", 1)


def test_a_stale_version_is_409(api_as, created):
    village, camat = api_as("desa-3513012001"), api_as("camat-sukapura")
    assert do(camat, created["id"], "verify", version=1).status_code == 200
    # The village saw version 1 too.
    error_shape(do(village, created["id"], "reject", note="Dobel", version=1), 409, "stale")
    assert Problem.objects.get(pk=created["id"]).status == "diverifikasi"


def test_reject_and_duplicate(api_as, created, new_problem):
    caller = api_as("desa-3513012001")
    error_shape(do(caller, created["id"], "duplicate"), 400, "required")
    original = new_problem()
    got = do(caller, created["id"], "duplicate", duplicate_of=original.pk).json()
    assert (got["status"], got["duplicate_of"]) == ("duplikat", original.pk)
    other = new_problem()
    got = do(caller, other.pk, "reject", note="Bukan masalah pemilihan").json()
    assert got["status"] == "ditolak"


def test_a_duplicate_of_a_problem_outside_is_refused(api_as, created, new_problem):
    elsewhere = new_problem(username="camat-tongas", region="35.13.23")
    response = do(api_as("desa-3513012001"), created["id"], "duplicate", duplicate_of=elsewhere.pk)
    assert set(error_shape(response, 400, "invalid")["fields"]) == {"duplicate_of"}


def test_at_the_top_escalation_is_409(api_as, created):
    camat, asisten, bupati = api_as("camat-sukapura"), api_as("asisten-pemkesra"), api_as("bupati")
    # each escalation goes above the one who escalates, and the API names the receiver first
    got = camat.get(f"/problems/{created['id']}").json()
    assert got["escalate"]["level"] == "koordinator"
    assert got["escalate"]["owner"] == "asisten-pemkesra"
    assert do(camat, created["id"], "escalate", note="Naik").json()["level"] == "koordinator"
    assert asisten.get(f"/problems/{created['id']}").json()["escalate"] == {
        "level": "kabupaten",
        "owner": "bupati",
        "name": "Penjabat Bupati Probolinggo",
    }
    assert do(asisten, created["id"], "escalate", note="Naik").status_code == 200
    got = bupati.get(f"/problems/{created['id']}").json()
    assert (got["level"], got["owner"]) == ("kabupaten", "bupati")
    assert "escalate" not in got["actions"] and got["escalate"] is None
    error_shape(do(bupati, created["id"], "escalate", note="Lagi"), 409, "top_level")


@pytest.mark.parametrize(
    "body,field",
    [
        ({"action": "explode"}, "action"),
        ({"action": "answer", "note": "x"}, "action"),  # not one of the API's actions
        ({}, "action"),
        ({"action": "refer", "agency": "tidak-ada"}, "agency"),
        ({"action": "refer"}, "agency"),
        ({"action": "verify", "version": 0}, "version"),
        ({"action": "verify", "version": "satu"}, "version"),
        ({"action": "duplicate", "duplicate_of": -3}, "duplicate_of"),
        ({"action": "comment", "note": 5}, "note"),
    ],
)
def test_a_malformed_action_is_400(api_as, created, body, field):
    response = api_as("desa-3513012001").post(f"/problems/{created['id']}/actions", body)
    assert field in error_shape(response, 400)["fields"]
    assert Problem.objects.get(pk=created["id"]).version == 1


@pytest.mark.parametrize("username", ["camat-tongas", "pemantau-kraksaan", "bawaslu"])
def test_outside_the_territory_an_action_is_404(api_as, created, username):
    body = error_shape(do(api_as(username), created["id"], "verify"), 404, "not_found")
    assert "status" not in body
    error_shape(do(api_as(username), created["id"], "comment", note="x"), 404, "not_found")
    assert Problem.objects.get(pk=created["id"]).version == 1


def test_an_action_on_a_missing_problem_is_404(api_as):
    error_shape(do(api_as("admin"), 987654321, "verify"), 404, "not_found")
