"""What the report and problem forms answer the phone's outbox (offline.js): JSON naming the
client_id when stored, the same answer for an item sent again, never someone else's name."""

import json
import uuid

import pytest
from django.contrib.messages import get_messages

from pantau.instruction.models import Category
from pantau.monitoring.models import Report
from pantau.problems.models import Problem
from pantau.web.tests.helpers import NGADISARI, checklist, png_upload, stage

pytestmark = pytest.mark.django_db
REPORT_URL = "/laporan/baru/"
PROBLEM_URL = "/masalah/baru/"
DESA = "desa-3513012001"


def queued(mode="queue", user=DESA):
    return {"X-Pantau-Outbox": mode, "X-Pantau-Outbox-User": user}


def report_data(**kw):
    data = {
        "client_id": str(uuid.uuid4()),
        "region": NGADISARI,
        "situation": "aman",
        "stage": stage("pemungutan").pk,
        "checklist": checklist("pemungutan").pk,
        "q_tps_buka_tepat": "ya",
        "q_surat_suara_cukup": "ya",
        "q_gangguan": "tidak ada",
        "narrative": "Dikirim dari kotak keluar",
        "observed_at": "2024-11-27T09:30",
    }
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def problem_data(**kw):
    data = {
        "client_id": str(uuid.uuid4()),
        "region": NGADISARI,
        "title": "Jalan ke TPS 003 longsor",
        "category": "logistik",
        "severity": "tinggi",
    }
    data.update(kw)
    data["category"] = Category.objects.get(code=data["category"]).pk
    return data


def test_a_queued_report_is_stored_and_answered_with_its_client_id(login):
    client = login(DESA)
    data = report_data(photos=png_upload())
    response = client.post(REPORT_URL, data, headers=queued())
    assert response.status_code == 201
    answer = json.loads(response.content)
    report = Report.objects.get(client_id=data["client_id"])
    assert answer["client_id"] == data["client_id"]
    assert answer["id"] == report.pk and answer["created"] is True
    assert answer["url"] == answer["next"] == report.get_absolute_url()
    assert answer["notes"]  # "sent", in the page's language
    assert report.author.username == DESA and report.photos.count() == 1
    assert not list(get_messages(response.wsgi_request))  # nothing waits in the session


def test_the_same_item_sent_again_gets_the_first_report_back(login):
    client = login(DESA)
    data = report_data()
    first = json.loads(client.post(REPORT_URL, data, headers=queued()).content)
    again = client.post(REPORT_URL, data, headers=queued())
    assert again.status_code == 200
    answer = json.loads(again.content)
    assert answer["id"] == first["id"] and answer["created"] is False
    assert Report.objects.filter(client_id=data["client_id"]).count() == 1


def test_an_item_stored_already_is_not_refused_when_the_form_has_changed_since(login):
    client = login(DESA)
    data = report_data()
    client.post(REPORT_URL, data, headers=queued())
    # The answer was lost; meanwhile the checklist asks something new: the copy sent again must
    # still be recognised as stored, not marked refused on the phone.
    again = client.post(
        REPORT_URL, report_data(client_id=data["client_id"], q_gangguan=None), headers=queued()
    )
    assert again.status_code == 200 and json.loads(again.content)["created"] is False


def test_a_report_that_is_also_a_problem_leads_to_the_problem_form(login):
    client = login(DESA)
    answer = json.loads(
        client.post(REPORT_URL, report_data(also_problem="on"), headers=queued()).content
    )
    assert answer["next"] == f"/masalah/baru/?report={answer['id']}"
    assert answer["url"] == f"/laporan/{answer['id']}/"


def test_a_refused_item_gets_the_apis_error_shape_with_the_fields_by_name(login):
    client = login(DESA)
    data = report_data(q_tps_buka_tepat=None, situation="bagus")
    response = client.post(REPORT_URL, data, headers=queued())
    assert response.status_code == 400
    answer = json.loads(response.content)
    assert set(answer) == {"detail", "code", "fields"}  # as the API answers (api/errors.py)
    assert answer["code"] == "invalid" and answer["detail"]
    assert set(answer["fields"]) == {"q_tps_buka_tepat", "situation"}  # as they were posted
    assert not Report.objects.filter(client_id=data["client_id"]).exists()


def test_a_page_post_gets_json_and_keeps_the_messages_for_the_next_page(login):
    client = login(DESA)
    response = client.post(REPORT_URL, report_data(), headers=queued("page"))
    assert response.status_code == 201
    answer = json.loads(response.content)
    assert answer["notes"] == []
    page = client.get(answer["next"]).content.decode()
    assert "data-flash" in page


def test_a_page_post_with_errors_gets_the_form_back_as_without_the_script(login):
    response = login(DESA).post(REPORT_URL, report_data(situation=None), headers=queued("page"))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert 'id="report-form"' in response.content.decode()


def test_an_item_saved_by_another_account_is_not_stored_under_this_one(login):
    client = login("camat-sukapura")  # may report on Ngadisari, but did not write this one
    data = report_data()
    response = client.post(REPORT_URL, data, headers=queued(user=DESA))
    assert response.status_code == 403
    answer = json.loads(response.content)
    assert set(answer) == {"detail", "code", "fields"}
    assert answer["code"] == "other_user" and DESA in answer["detail"]
    assert not Report.objects.filter(client_id=data["client_id"]).exists()


def test_the_account_name_may_be_url_encoded(login):
    response = login(DESA).post(REPORT_URL, report_data(), headers=queued(user="desa%2D3513012001"))
    assert response.status_code == 201


def test_an_outsider_reusing_a_client_id_gets_a_conflict_not_the_report(login, new_report):
    report = new_report()
    data = report_data(client_id=str(report.client_id), region="35.13.01")
    response = login("camat-sukapura").post(REPORT_URL, data, headers=queued(user="camat-sukapura"))
    assert response.status_code == 409
    answer = json.loads(response.content)
    assert answer["code"] == "client_id_taken"
    assert "id" not in answer and "url" not in answer  # nothing of the other's report


def test_an_outsider_may_not_report_on_another_village(login):
    data = report_data()
    response = login("camat-tongas").post(REPORT_URL, data, headers=queued(user="camat-tongas"))
    assert response.status_code == 400
    assert json.loads(response.content)["code"] == "invalid"
    assert not Report.objects.filter(client_id=data["client_id"]).exists()


def test_an_account_that_may_not_write_is_refused(login):
    data = report_data()
    response = login("bawaslu").post(REPORT_URL, data, headers=queued(user="bawaslu"))
    assert response.status_code == 400
    assert not Report.objects.filter(client_id=data["client_id"]).exists()


def test_an_ended_session_is_sent_to_the_login_page(client):
    response = client.post(REPORT_URL, report_data(), headers=queued())
    assert response.status_code == 302 and response.url.startswith("/masuk/")


def test_a_queued_problem_is_stored_once(login):
    client = login(DESA)
    data = problem_data()
    first = client.post(PROBLEM_URL, data, headers=queued())
    assert first.status_code == 201
    answer = json.loads(first.content)
    problem = Problem.objects.get(client_id=data["client_id"])
    assert answer["client_id"] == data["client_id"] and answer["url"] == f"/masalah/{problem.pk}/"
    again = client.post(PROBLEM_URL, data, headers=queued())
    assert again.status_code == 200 and json.loads(again.content)["id"] == problem.pk
    assert Problem.objects.filter(client_id=data["client_id"]).count() == 1


def test_a_refused_problem_says_why(login):
    response = login(DESA).post(PROBLEM_URL, problem_data(title=""), headers=queued())
    assert response.status_code == 400
    assert json.loads(response.content)["fields"]


def test_a_plain_post_still_redirects(login):
    response = login(DESA).post(REPORT_URL, report_data())
    assert response.status_code == 302 and response.url.startswith("/laporan/")
