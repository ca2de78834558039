"""The next election is a new file: the shipped Pilkades 2025 example loaded beside the Pilkada
2024, reports into both, the Pilkada closed, and nothing of it lost or changed
(docs/next-election.md walks through the same steps)."""

import datetime as dt
import io
import uuid

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict

from pantau.api.tests.conftest import error_shape
from pantau.audit.verify import verify_chain
from pantau.conftest import NGADISARI, VOTING_ANSWERS
from pantau.instruction.loader import PILKADES, SHIPPED
from pantau.instruction.models import Checklist, Operation, Stage
from pantau.monitoring.models import Report
from pantau.odk.tests.helpers import OdkCollect, fill, form_list, message
from pantau.periodic.actions import do_request_report
from pantau.periodic.models import PeriodicReport
from pantau.problems.models import Problem
from pantau.regions.models import Region

pytestmark = pytest.mark.django_db

PILKADA, PILKADES_CODE = "pilkada-2024-probolinggo", "pilkades-2025-probolinggo"
TONGAS, WONOMERTO = "35.13.23", "35.13.22"
SUMBERKARE = "35.13.22.2001"  # a village of Wonomerto the Pilkades does not list
PILKADES_ANSWERS = {
    "panitia_pilkades_hadir": True,
    "surat_suara_cukup": True,
    "gangguan": "tidak ada",
}


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def report(client, region, observed_at, answers, **more):
    body = {
        "client_id": str(uuid.uuid4()),
        "region": region,
        "observed_at": observed_at,
        "status": "aman",
        "answers": answers,
        **more,
    }
    return client.post("/reports", body)


def pilkada_state() -> dict:
    """Everything of the Pilkada a closing must leave as it was."""
    operation = Operation.objects.get(code=PILKADA)
    return {
        "reports": sorted(
            Report.objects.filter(operation=operation).values_list("pk", "stage_id", "answers")
        ),
        "problems": sorted(
            Problem.objects.filter(operation=operation).values_list("pk", "status", "stage_id")
        ),
        "periodic": sorted(
            PeriodicReport.objects.filter(operation=operation).values_list("pk", "status")
        ),
        "stages": sorted(operation.stages.values_list("code", "starts_on", "ends_on")),
        "checklists": sorted(operation.checklists.values_list("code", "questions")),
        "clusters": sorted(operation.clusters.values_list("code", "name")),
    }


@pytest.fixture
def both(users, new_report, new_problem):
    """The Pilkada with a report, a problem and a periodic report; then the Pilkades loaded."""
    new_report(username="camat-tongas", region=TONGAS)
    new_problem(username="camat-tongas", region=TONGAS)
    do_request_report(
        acting_user=users["bupati"],
        scope="kabupaten",
        region=Region.objects.get(code="35.13"),
        start=dt.date(2024, 11, 27),
        end=dt.date(2024, 11, 27),
    )
    before = pilkada_state()
    said = run("loadinstruction", str(PILKADES))
    assert "Pilkades" in said
    return before


def test_the_example_sits_beside_the_pilkada_and_is_marked_invented():
    assert PILKADES.parent == SHIPPED.parent
    assert "INVENTED" in PILKADES.read_text(encoding="utf-8")


def test_a_report_on_the_pilkades_day_in_tongas_is_the_pilkades(both, api_as):
    client = api_as("camat-tongas")
    response = report(client, TONGAS, "2025-10-26T10:00:00", PILKADES_ANSWERS)
    assert response.status_code == 201, response.content
    got = response.json()
    assert (got["operation"], got["stage"], got["checklist"]) == (
        PILKADES_CODE,
        "pemungutan",
        "pemungutan",
    )
    stored = Report.objects.get(pk=got["id"])
    assert stored.checklist.operation.code == PILKADES_CODE and stored.checklist_complete
    # the Pilkada's questions are not this checklist's
    refused = report(client, TONGAS, "2025-10-26T10:00:00", VOTING_ANSWERS)
    assert refused.status_code == 400
    # the Pilkada's own villages and dates still go to the Pilkada
    pilkada = report(api_as("desa-3513012001"), NGADISARI, "2024-11-27T09:30:00", VOTING_ANSWERS)
    assert pilkada.json()["operation"] == PILKADA, pilkada.content
    # a Wonomerto village outside the Pilkades' list: the Pilkada, whatever the day
    wonomerto = api_as("camat-wonomerto")
    outside = report(wonomerto, SUMBERKARE, "2025-10-26T10:00:00", {}, stage="kampanye")
    assert outside.status_code == 201 and outside.json()["operation"] == PILKADA


def test_the_lists_tell_the_operations_apart(both, api_as):
    client = api_as("camat-tongas")
    stages = client.get("/stages").json()["items"]
    assert sorted((s["operation"], s["code"]) for s in stages if s["code"] == "pemungutan") == [
        (PILKADA, "pemungutan"),
        (PILKADES_CODE, "pemungutan"),
    ]
    only = client.get("/stages", {"operation": PILKADES_CODE}).json()["items"]
    assert [s["starts_on"] for s in only if s["code"] == "pemungutan"] == ["2025-10-26"]
    checklists = client.get("/checklists", {"operation": PILKADES_CODE}).json()["items"]
    assert {c["operation"] for c in checklists} == {PILKADES_CODE}
    assert error_shape(client.get("/stages", {"operation": "nope"}), 400)["fields"] == {
        "operation": "kode tidak dikenal"
    }
    clusters = api_as("bupati").get("/clusters", {"operation": PILKADES_CODE}).json()["items"]
    assert [c["code"] for c in clusters] == ["pilkades-pemkesra"]
    reports = client.get("/reports", {"operation": PILKADA}).json()["items"]
    assert reports and {r["operation"] for r in reports} == {PILKADA}


def test_when_both_hold_the_moment_the_sender_chooses(both, api_as):
    Stage.objects.filter(operation__code=PILKADES_CODE, code="kampanye").update(
        starts_on=dt.date(2024, 11, 1)
    )
    client = api_as("camat-tongas")
    asked = error_shape(
        report(client, TONGAS, "2024-11-20T10:00:00", {}), 400, "operation_required"
    )
    assert PILKADA in asked["detail"] and PILKADES_CODE in asked["detail"]
    chosen = report(client, TONGAS, "2024-11-20T10:00:00", {}, operation=PILKADES_CODE)
    assert chosen.status_code == 201 and chosen.json()["stage"] == "kampanye"


def test_odk_offers_each_operations_forms(both, client):
    ids = set(form_list(OdkCollect(client, "camat-tongas", "pantau-demo").form_list()))
    assert "pantau-pemungutan" in ids  # the Pilkada's, as before
    assert f"pantau-{PILKADES_CODE}-pemungutan" in ids
    sukapura = set(form_list(OdkCollect(client, "camat-sukapura", "pantau-demo").form_list()))
    assert not [i for i in sukapura if PILKADES_CODE in i]  # outside the Pilkades


def test_closing_the_pilkada_loses_and_changes_nothing(both, api_as):
    client = api_as("camat-tongas")
    assert report(client, TONGAS, "2025-10-26T10:00:00", PILKADES_ANSWERS).status_code == 201
    listed = client.get("/reports", {"operation": PILKADA}).json()["items"]
    run("operation", "close", PILKADA)
    after = pilkada_state()
    assert after == both  # reports, problems, periodic reports, stages, checklists, clusters
    assert client.get("/reports", {"operation": PILKADA}).json()["items"] == listed
    assert verify_chain().ok
    # new writes to it are refused, with what the sender needs to know
    refused = error_shape(
        report(api_as("desa-3513012001"), NGADISARI, "2024-11-27T09:30:00", VOTING_ANSWERS),
        409,
        "operation_closed",
    )
    assert "ditutup" in refused["detail"]
    # the Pilkades goes on
    assert report(client, TONGAS, "2025-10-26T11:00:00", PILKADES_ANSWERS).status_code == 201
    assert Checklist.objects.filter(operation__code=PILKADA).count() == len(after["checklists"])
    assert model_to_dict(Operation.objects.get(code=PILKADA))["status"] == "closed"


def downloaded(phone) -> dict[str, bytes]:
    """formID -> the XForm, as ODK Collect downloaded them."""
    listed = form_list(phone.form_list())
    return {
        form_id: phone.download(item["downloadUrl"]).content for form_id, item in listed.items()
    }


PILKADA_VALUES = {
    "start": "2024-11-27T09:30:12.345+07:00",
    "region": TONGAS,
    "situation": "aman",
    "checklist/tps_buka_tepat": "ya",
    "checklist/surat_suara_cukup": "ya",
    "checklist/gangguan": "tidak_ada",
}


def test_a_late_odk_form_of_the_closed_operation_is_refused_as_closed(both, client):
    """Collect keeps a filled Pilkada form while the Pilkada is closed: it is refused saying
    so (not as an unknown form, nor taken as the Pilkades' form of the same checklist code),
    and the form ids of the operation still open do not change."""
    phone = OdkCollect(client, "camat-tongas", "pantau-demo")
    forms = downloaded(phone)
    pilkades_form = f"pantau-{PILKADES_CODE}-pemungutan"
    assert {"pantau-pemungutan", pilkades_form} <= set(forms)
    late = fill(forms["pantau-pemungutan"], PILKADA_VALUES)
    run("operation", "close", PILKADA)
    reports = Report.objects.count()
    refused = phone.submit(late)
    assert refused.status_code == 409, refused.content
    nature, text = message(refused)
    assert nature == "operation_closed" and "ditutup" in text and "Pilkada" in text
    assert Report.objects.count() == reports
    after = set(form_list(phone.form_list()))
    assert pilkades_form in after and "pantau-pemungutan" not in after  # ids keep their meaning
    pilkades = fill(
        forms[pilkades_form],
        {
            "start": "2025-10-26T10:00:00.000+07:00",
            "region": TONGAS,
            "situation": "aman",
            "checklist/panitia_pilkades_hadir": "ya",
            "checklist/surat_suara_cukup": "ya",
            "checklist/gangguan": "tidak_ada",
        },
    )
    stored = phone.submit(pilkades)
    assert stored.status_code == 201, stored.content
    assert Report.objects.latest("pk").operation.code == PILKADES_CODE


def test_a_copy_sent_again_after_closing_gets_the_first_answer(both, api_as, client):
    """A retry whose first answer was lost, arriving after the operation closed: the stored
    report or problem answers (API 200, ODK 202), nothing new is stored; a new one is refused."""
    village = api_as("desa-3513012001")
    body = {
        "client_id": str(uuid.uuid4()),
        "region": NGADISARI,
        "observed_at": "2024-11-27T09:30:00",
        "status": "aman",
        "answers": VOTING_ANSWERS,
    }
    first = village.post("/reports", body)
    assert first.status_code == 201, first.content
    problem = {
        "client_id": str(uuid.uuid4()),
        "region": NGADISARI,
        "title": "Kotak suara terlambat",
        "category": "logistik",
        "severity": "sedang",
    }
    made = village.post("/problems", problem)
    assert made.status_code == 201 and made.json()["operation"] == PILKADA, made.content
    phone = OdkCollect(client, "camat-tongas", "pantau-demo")
    instance = fill(downloaded(phone)["pantau-pemungutan"], PILKADA_VALUES)
    assert phone.submit(instance).status_code == 201
    run("operation", "close", PILKADA)
    counts = (Report.objects.count(), Problem.objects.count())
    again = village.post("/reports", body)
    assert again.status_code == 200, again.content
    assert again.json()["id"] == first.json()["id"] and again.json()["operation"] == PILKADA
    again = village.post("/problems", problem)
    assert again.status_code == 200 and again.json()["id"] == made.json()["id"], again.content
    resent = phone.submit(instance)
    assert resent.status_code == 202 and message(resent)[0] == "submit_success"
    assert (Report.objects.count(), Problem.objects.count()) == counts
    new = village.post("/reports", {**body, "client_id": str(uuid.uuid4())})
    assert error_shape(new, 409, "operation_closed")
    # someone else's id is still someone else's
    taken = api_as("camat-sukapura").post("/reports", {**body, "region": "35.13.01"})
    assert error_shape(taken, 409, "client_id_taken")


def test_each_operations_cluster_names_who_holds_its_seat(both, api_as, users):
    """A seat is its code in the region: the Pilkada's Asisten Pemkesra coordinates the
    Pilkades' cluster of that seat, and each cluster names the holder of its own seat."""

    def coordinators():
        items = api_as("bupati").get("/clusters").json()["items"]
        return {(c["operation"], c["code"]): c["coordinator"]["username"] for c in items}

    assert coordinators() == {
        (PILKADA, "pemkesra"): "asisten-pemkesra",
        (PILKADA, "adum"): "asisten-adum",
        (PILKADA, "ekbang"): "asisten-ekbang",
        (PILKADES_CODE, "pilkades-pemkesra"): "asisten-pemkesra",
    }
    # the Pilkades' seat is asisten-pemkesra's, not whoever holds another seat
    Operation.objects.get(code=PILKADES_CODE).clusters.update(
        coordinator=Operation.objects.get(code=PILKADES_CODE).positions.get(code="kepala-dpmd")
    )
    found = coordinators()
    assert found[(PILKADES_CODE, "pilkades-pemkesra")] != "asisten-pemkesra"
    assert found[(PILKADA, "pemkesra")] == "asisten-pemkesra"
    users["asisten-pemkesra"].is_active = False
    users["asisten-pemkesra"].save()
    assert coordinators()[(PILKADA, "pemkesra")] is None


def test_the_api_desk_takes_the_operation_as_the_pages_do(both, api_as):
    """GET /dashboard and /compliance choose the operation as the desk's pages: `?operation=`,
    else the one of the day asked, else the current one; an unknown one is 400."""
    camat = api_as("camat-tongas")
    assert report(camat, TONGAS, "2025-10-26T10:00:00", PILKADES_ANSWERS).status_code == 201
    bupati = api_as("bupati")
    current = bupati.get("/dashboard").json()
    assert current["operation"] == PILKADES_CODE  # today is nearest the Pilkades
    pilkades = bupati.get("/dashboard", {"operation": PILKADES_CODE}).json()
    pilkada = bupati.get("/dashboard", {"operation": PILKADA}).json()
    assert (
        pilkades["totals"]["reports"]
        == Report.objects.filter(operation__code=PILKADES_CODE).count()
    )
    assert pilkada["totals"]["reports"] == Report.objects.filter(operation__code=PILKADA).count()
    asked = bupati.get("/dashboard", {"since": "2024-11-27T00:00:00+07:00"}).json()
    assert asked["operation"] == PILKADA  # the day asked is the Pilkada's
    for path in ("/dashboard", "/compliance"):
        refused = error_shape(bupati.get(path, {"operation": "nope"}), 400, "unknown_operation")
        assert "nope" in refused["detail"] and "operation" in refused["fields"]
    # Sukapura holds no Pilkades: its camat has only the Pilkada, and may not ask for the other
    sukapura = api_as("camat-sukapura")
    assert sukapura.get("/dashboard").json()["operation"] == PILKADA
    error_shape(sukapura.get("/compliance", {"operation": PILKADES_CODE}), 400, "unknown_operation")
    days = {
        day: bupati.get("/compliance", {"date": day}).json()["operation"]
        for day in ("2024-11-27", "2025-10-26")
    }
    assert days == {"2024-11-27": PILKADA, "2025-10-26": PILKADES_CODE}
    chosen = bupati.get("/compliance", {"date": "2025-10-26", "operation": PILKADA}).json()
    assert chosen["operation"] == PILKADA
