"""The report and problem forms with two operations active (the Pilkada 2024 and the invented
Pilkades 2025 beside it): the stages grouped by operation, the stage chosen names the
operation, an ambiguous one is the sender's choice; a form sent late into the closed Pilkada
is refused saying so, and a copy of one stored before it closed gets its first answer."""

import datetime as dt
import json
import uuid

import pytest
from django.core.management import call_command
from django.utils import timezone

from pantau.instruction.loader import PILKADES
from pantau.instruction.models import Category, Checklist, Cluster, Operation, Stage
from pantau.lib.clock import local_date
from pantau.monitoring.models import Report
from pantau.problems.models import Problem
from pantau.web.tests.helpers import TONGAS, selected_option

pytestmark = pytest.mark.django_db
PILKADA, PILKADES_CODE = "pilkada-2024-probolinggo", "pilkades-2025-probolinggo"
REPORT_URL, PROBLEM_URL = "/laporan/baru/", "/masalah/baru/"
CAMAT = "camat-tongas"


def queued():
    return {"X-Pantau-Outbox": "queue", "X-Pantau-Outbox-User": CAMAT}


@pytest.fixture
def both(users):
    call_command("loadinstruction", str(PILKADES), stdout=open("/dev/null", "w"))


def stage_of(operation: str, code: str) -> Stage:
    return Stage.objects.get(operation__code=operation, code=code)


def problem_data(**kw):
    data = {
        "client_id": str(uuid.uuid4()),
        "region": TONGAS,
        "title": "Panitia belum lengkap",
        "category": Category.objects.get(code="logistik").pk,
        "severity": "sedang",
    }
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def pilkada_report(**kw):
    data = {
        "client_id": str(uuid.uuid4()),
        "region": TONGAS,
        "situation": "aman",
        "stage": stage_of(PILKADA, "pemungutan").pk,
        "checklist": Checklist.objects.get(operation__code=PILKADA, code="pemungutan").pk,
        "q_tps_buka_tepat": "ya",
        "q_surat_suara_cukup": "ya",
        "q_gangguan": "tidak ada",
        "observed_at": "2024-11-27T09:30",
    }
    data.update(kw)
    return data


def test_the_problem_form_groups_the_stages_by_operation(both, login):
    page = login(CAMAT).get(PROBLEM_URL).content.decode()
    for operation in Operation.objects.all():
        assert f'<optgroup label="{operation.name}">' in page
    chosen = Stage.objects.get(pk=selected_option(page, "stage"))
    assert chosen.operation.code == PILKADES_CODE  # now is nearest the Pilkades, in Tongas


@pytest.mark.parametrize("operation", [PILKADA, PILKADES_CODE])
def test_a_problem_belongs_to_the_operation_of_its_stage(both, login, operation):
    data = problem_data(stage=stage_of(operation, "kampanye").pk)
    response = login(CAMAT).post(PROBLEM_URL, data)
    assert response.status_code == 302, response.content.decode()
    problem = Problem.objects.get(client_id=data["client_id"])
    assert (problem.operation.code, problem.stage.code) == (operation, "kampanye")


def test_when_both_hold_today_the_sender_chooses_the_stage(both, login):
    today = local_date(timezone.now())
    Stage.objects.filter(code="kampanye").update(
        starts_on=today - dt.timedelta(days=1), ends_on=today + dt.timedelta(days=1)
    )
    client = login(CAMAT)
    refused = client.post(PROBLEM_URL, problem_data())
    assert refused.status_code == 400
    form = refused.context["form"]
    assert PILKADA in " ".join(form.non_field_errors()) and PILKADES_CODE in str(form.errors)
    assert form.errors["stage"] == ["Pilih tahapan: kelompoknya menyebut operasinya."]
    assert not Problem.objects.filter(title__startswith="Panitia").exists()
    data = problem_data(stage=stage_of(PILKADES_CODE, "kampanye").pk)
    assert client.post(PROBLEM_URL, data).status_code == 302
    assert Problem.objects.get(client_id=data["client_id"]).operation.code == PILKADES_CODE


def test_a_form_sent_late_into_the_closed_operation_is_refused_saying_so(both, login):
    client = login(CAMAT)
    call_command("operation", "close", PILKADA, stdout=open("/dev/null", "w"))
    reports, problems = Report.objects.count(), Problem.objects.count()
    for url, data in (
        (REPORT_URL, pilkada_report()),
        (PROBLEM_URL, problem_data(stage=stage_of(PILKADA, "pemungutan").pk)),
    ):
        refused = client.post(url, data, headers=queued())
        assert refused.status_code == 409, refused.content
        answer = json.loads(refused.content)
        assert answer["code"] == "operation_closed" and "ditutup" in answer["detail"]
        page = client.post(url, data)  # without the script: the form again, saying so
        assert page.status_code == 409 and "ditutup" in page.content.decode()
    assert (Report.objects.count(), Problem.objects.count()) == (reports, problems)
    # the closed operation's stages are not offered to a new report
    closed = stage_of(PILKADA, "pemungutan").pk
    assert f'<option value="{closed}"' not in client.get(REPORT_URL).content.decode()


def test_a_copy_of_a_report_stored_before_closing_gets_its_first_answer(both, login):
    client = login(CAMAT)
    data = pilkada_report()
    first = json.loads(client.post(REPORT_URL, data, headers=queued()).content)
    call_command("operation", "close", PILKADA, stdout=open("/dev/null", "w"))
    again = client.post(REPORT_URL, data, headers=queued())
    assert again.status_code == 200, again.content
    answer = json.loads(again.content)
    assert answer["id"] == first["id"] and answer["created"] is False
    assert Report.objects.filter(client_id=data["client_id"]).count() == 1


def test_the_kecamatan_page_names_each_seat_once_across_the_operations(both, login, users):
    page = login(CAMAT).get(f"/wilayah/{TONGAS}/").content.decode()
    officials = page[page.index("<dl>") : page.index("</dl>")]
    assert officials.count("<dt>Camat</dt>") == 1
    assert users[CAMAT].get_full_name() in officials
    seats = {c.coordinator.code for c in Cluster.objects.filter(kecamatan__code=TONGAS)}
    assert Cluster.objects.filter(kecamatan__code=TONGAS).count() == 2  # one per operation
    assert officials.count("<dt>Koordinator</dt>") == len(seats) == 1
