import uuid

import pytest

from pantau.instruction.models import Category
from pantau.problems.models import Problem
from pantau.web.tests.helpers import NGADISARI, SUKAPURA, TONGAS, selected_option, stage

pytestmark = pytest.mark.django_db
URL = "/masalah/baru/"


def problem_data(**kw):
    data = {
        "client_id": str(uuid.uuid4()),
        "region": NGADISARI,
        "tps": "4",
        "title": "Surat suara TPS 004 kurang",
        "category": Category.objects.get(code="logistik").pk,
        "severity": "tinggi",
        "description": "Kurang 12 lembar",
        "suggestion": "PPK mengirim cadangan",
        "stage": stage("masa-tenang").pk,
    }
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def test_a_problem_posted_through_the_form_is_stored(login):
    data = problem_data()
    response = login("desa-3513012001").post(URL, data)
    problem = Problem.objects.get(client_id=data["client_id"])
    assert response.status_code == 302 and response.url == f"/masalah/{problem.pk}/"
    assert (problem.region.code, problem.tps, problem.severity, problem.category.code) == (
        NGADISARI,
        "004",  # TPS numbers are stored as three digits, as for reports
        "tinggi",
        "logistik",
    )
    assert (problem.status, problem.level, problem.owner.username) == (
        "baru",
        "desa",
        "desa-3513012001",
    )
    assert problem.suggestion == "PPK mengirim cadangan" and problem.stage.code == "masa-tenang"
    assert problem.reporter.username == "desa-3513012001"


def test_the_same_post_five_times_is_one_problem(login):
    client = login("desa-3513012001")
    data = problem_data()
    urls = {client.post(URL, data).url for _ in range(5)}
    assert Problem.objects.filter(client_id=data["client_id"]).count() == 1
    assert len(urls) == 1


def test_the_form_offers_the_territory_categories_and_four_severities(login):
    page = login("desa-3513012001").get(URL).content.decode()
    assert selected_option(page, "region") == NGADISARI
    assert page.count('name="severity"') == 4
    for category in Category.objects.filter(is_active=True):
        assert f'value="{category.pk}"' in page


def test_a_report_fills_the_form_and_becomes_the_source(login, new_report):
    report = new_report(tps="7")
    client = login("camat-sukapura")
    response = client.get(URL, {"report": report.pk})
    assert response.status_code == 200
    page = response.content.decode()
    assert selected_option(page, "region") == NGADISARI
    assert selected_option(page, "stage") == str(report.stage_id)
    assert f'name="report" value="{report.pk}"' in page
    form = response.context["form"]
    assert form["tps"].value() == "7"
    data = problem_data(report=report.pk, stage=report.stage_id)
    client.post(URL, data)
    assert Problem.objects.get(client_id=data["client_id"]).report == report


def test_a_report_outside_the_territory_is_404(login, new_report):
    report = new_report()
    assert login("camat-paiton").get(URL, {"report": report.pk}).status_code == 404
    data = problem_data(region="35.13.12", report=report.pk)
    response = login("camat-paiton").post(URL, data)
    assert response.status_code == 400 and "report" in response.context["form"].errors
    assert not Problem.objects.filter(client_id=data["client_id"]).exists()


def test_a_missing_title_is_shown_on_its_field(login):
    data = problem_data(title="")
    response = login("desa-3513012001").post(URL, data)
    assert response.status_code == 400 and "title" in response.context["form"].errors
    assert not Problem.objects.filter(client_id=data["client_id"]).exists()


def test_an_outsider_cannot_record_a_problem_in_another_kecamatan(login):
    for username, region in (("camat-paiton", SUKAPURA), ("desa-3513012001", TONGAS)):
        data = problem_data(region=region)
        response = login(username).post(URL, data)
        assert response.status_code == 400 and "region" in response.context["form"].errors
        assert not Problem.objects.filter(client_id=data["client_id"]).exists()


def test_an_external_agency_records_no_problem(login):
    assert 'id="problem-form"' not in login("bawaslu").get(URL).content.decode()
    data = problem_data()
    assert login("bawaslu").post(URL, data).status_code == 400
    assert not Problem.objects.filter(client_id=data["client_id"]).exists()
