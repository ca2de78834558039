"""The same text limits on every channel: ODK refuses what the API refuses, with a 400 naming
the field, and never cuts a text silently."""

import uuid

import pytest

from pantau.api.actions import do_issue_token
from pantau.conftest import NGADISARI
from pantau.lib import limits
from pantau.monitoring.models import Report
from pantau.odk.tests.helpers import VOTING_MORNING, fill, form_list, message
from pantau.problems.models import Problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def phone(collect):
    return collect("desa-3513012001")


@pytest.fixture
def forms(phone):
    listed = form_list(phone.form_list())
    return {
        form_id: phone.download(item["downloadUrl"]).content for form_id, item in listed.items()
    }


def problem_values(**changes) -> dict:
    values = {
        "start": VOTING_MORNING,
        "region": NGADISARI,
        "title": "Kotak suara belum tiba",
        "category": "logistik",
        "severity": "tinggi",
        "description": "Sampai pukul 06.30 kotak suara belum tiba.",
    }
    values.update(changes)
    return values


def report_values(**changes) -> dict:
    values = {
        "start": VOTING_MORNING,
        "region": NGADISARI,
        "situation": "aman",
        "checklist/tps_buka_tepat": "ya",
        "checklist/surat_suara_cukup": "ya",
        "checklist/gangguan": "tidak_ada",
    }
    values.update(changes)
    return values


def test_a_title_over_the_limit_is_refused_not_cut(phone, forms):
    instance_id = uuid.uuid4()
    xml = fill(forms["pantau-masalah"], problem_values(title="T" * 5000), instance_id)
    response = phone.submit(xml)
    assert response.status_code == 400, response.content
    assert message(response)[0] == "invalid"
    assert not Problem.objects.filter(client_id=instance_id).exists()


def test_a_title_at_the_limit_is_stored_whole(phone, forms):
    instance_id = uuid.uuid4()
    title = "T" * limits.TITLE
    response = phone.submit(fill(forms["pantau-masalah"], problem_values(title=title), instance_id))
    assert response.status_code == 201, response.content
    assert Problem.objects.get(client_id=instance_id).title == title


@pytest.mark.parametrize("field", ["description", "suggestion"])
def test_a_long_problem_text_is_refused(phone, forms, field):
    instance_id = uuid.uuid4()
    values = problem_values(**{field: "x" * (limits.LONG_TEXT + 1)})
    response = phone.submit(fill(forms["pantau-masalah"], values, instance_id))
    assert response.status_code == 400
    assert not Problem.objects.filter(client_id=instance_id).exists()


def test_a_narrative_the_api_refuses_odk_refuses_too(phone, forms, client, users):
    narrative = "n" * 20_000
    instance_id = uuid.uuid4()
    xml = fill(forms["pantau-pemungutan"], report_values(narrative=narrative), instance_id)
    response = phone.submit(xml)
    assert response.status_code == 400, response.content
    assert not Report.objects.filter(client_id=instance_id).exists()

    key, _token = do_issue_token(users["desa-3513012001"])
    api = client.post(
        "/api/v1/reports",
        {
            "client_id": str(uuid.uuid4()),
            "region": NGADISARI,
            "observed_at": "2024-11-27T09:30:00",
            "status": "aman",
            "narrative": narrative,
        },
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert api.status_code == 400 and "narrative" in api.json()["fields"]
