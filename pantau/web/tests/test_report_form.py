import uuid

import pytest
from django.contrib.messages import constants
from django.core.files.uploadedfile import SimpleUploadedFile

from pantau.monitoring.models import Photo, Report
from pantau.web.tests.helpers import (
    NGADISARI,
    SUKAPURA,
    checklist,
    png_upload,
    selected_option,
    stage,
)

pytestmark = pytest.mark.django_db
URL = "/laporan/baru/"


def report_data(**kw):
    data = {
        "client_id": str(uuid.uuid4()),
        "region": NGADISARI,
        "tps": "3",
        "situation": "waspada",
        "stage": stage("pemungutan").pk,
        "checklist": checklist("pemungutan").pk,
        "q_tps_buka_tepat": "tidak",
        "q_surat_suara_cukup": "ya",
        "q_gangguan": "ringan",
        "q_pemilih_hadir": "120",
        "narrative": "TPS 003 buka terlambat",
        "observed_at": "2024-11-27T09:30",
    }
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def test_it_preselects_the_village_of_a_village_account(login):
    response = login("desa-3513012001").get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert selected_option(page, "region") == NGADISARI
    assert "35.13.01.2002" not in page  # the neighbouring village is not offered
    assert 'capture="environment"' in page and 'accept="image/*"' in page
    assert 'name="client_id"' in page and 'type="datetime-local"' in page


def test_a_camat_gets_the_kecamatan_preselected_and_its_villages_offered(login):
    page = login("camat-sukapura").get(URL).content.decode()
    assert selected_option(page, "region") == SUKAPURA
    assert f'value="{NGADISARI}"' in page
    assert 'value="35.13.23"' not in page  # Tongas is another camat's


def test_a_region_can_be_preselected_by_the_link(login):
    page = login("camat-sukapura").get(URL + f"?region={NGADISARI}").content.decode()
    assert selected_option(page, "region") == NGADISARI


def test_a_monitor_with_three_villages_chooses_one(login):
    page = login("pemantau-kraksaan").get(URL).content.decode()
    assert not selected_option(page, "region")
    assert page.count('value="35.13.14.') == 3


def test_a_report_is_stored_once_when_the_same_post_arrives_five_times(login):
    client = login("desa-3513012001")
    data = report_data()
    responses = [client.post(URL, data) for _ in range(5)]
    assert {r.status_code for r in responses} == {302}
    stored = Report.objects.filter(client_id=data["client_id"])
    assert stored.count() == 1
    report = stored.get()
    assert {r.url for r in responses} == {f"/laporan/{report.pk}/"}
    assert (report.region.code, report.tps, report.situation) == (NGADISARI, "003", "waspada")
    assert report.checklist.code == "pemungutan"
    assert report.answers == {
        "tps_buka_tepat": False,
        "surat_suara_cukup": True,
        "gangguan": "ringan",
        "pemilih_hadir": 120,
    }
    assert report.author.username == "desa-3513012001" and report.channel == "web"


def test_the_location_from_the_phone_is_kept(login):
    client = login("desa-3513012001")
    data = report_data(lat="-7.9105", lon="112.952")
    client.post(URL, data)
    report = Report.objects.get(client_id=data["client_id"])
    assert (report.lat, report.lon) == (-7.9105, 112.952)


def test_the_checklist_of_another_stage_comes_back_as_a_fragment_under_htmx(login):
    client = login("desa-3513012001")
    response = client.get(URL, {"stage": stage("masa-tenang").pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<div id="questions"') and "<html" not in fragment
    assert 'name="q_logistik_tiba"' in fragment and 'name="q_tps_buka_tepat"' not in fragment
    assert 'inputmode="numeric"' in fragment  # surat_suara_kurang is a number
    assert "<textarea" in fragment  # catatan is text
    h1 = checklist("h-1-logistik-tps")
    assert f'name="checklist" value="{h1.pk}"' in fragment and h1.name in fragment
    assert "HX-Request" in response["Vary"]
    # the same URL without htmx is the whole form, with those questions
    page = client.get(URL, {"stage": stage("masa-tenang").pk}).content.decode()
    assert "<html" in page and 'name="q_logistik_tiba"' in page


def test_a_stage_with_two_checklists_lets_the_user_pick_one(login):
    client = login("desa-3513012001")
    fragment = client.get(
        URL, {"stage": stage("pemungutan").pk}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'name="checklist"' in fragment and 'name="q_tps_buka_tepat"' in fragment
    counting = client.get(
        URL,
        {"stage": stage("pemungutan").pk, "checklist": checklist("penghitungan").pk},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert 'name="q_penghitungan_mulai"' in counting and 'name="q_tps_buka_tepat"' not in counting


def test_a_required_question_left_open_is_shown_on_its_field(login):
    client = login("desa-3513012001")
    data = report_data(q_gangguan=None)
    response = client.post(URL, data)
    assert response.status_code == 400
    assert response.context["form"].errors["q_gangguan"]
    assert not Report.objects.filter(client_id=data["client_id"]).exists()


def test_a_photo_that_is_not_an_image_is_refused_and_the_report_kept(login):
    client = login("desa-3513012001")
    fake = SimpleUploadedFile("foto.jpg", b"MZ\x90\x00 not a photo at all", "image/jpeg")
    data = report_data(photos=[fake, png_upload()])
    response = client.post(URL, data, follow=True)
    report = Report.objects.get(client_id=data["client_id"])
    assert response.redirect_chain[-1][0] == f"/laporan/{report.pk}/"
    assert response.status_code == 200
    levels = [m.level for m in response.context["messages"]]
    assert constants.WARNING in levels and constants.SUCCESS in levels
    assert report.photos.count() == 1  # the real one
    assert report.photos.get().status == Photo.Status.PENDING  # processed off the request


def test_more_photos_than_a_report_takes_are_refused_before_anything_is_stored(login):
    client = login("desa-3513012001")
    data = report_data(photos=[png_upload() for _ in range(4)])
    response = client.post(URL, data)
    assert response.status_code == 400
    assert "3" in response.context["form"].errors["photos"][0]
    assert not Report.objects.filter(client_id=data["client_id"]).exists()


def test_this_is_a_problem_too_leads_to_the_problem_form_with_the_report(login):
    client = login("desa-3513012001")
    data = report_data(also_problem="on")
    response = client.post(URL, data)
    report = Report.objects.get(client_id=data["client_id"])
    assert response.status_code == 302 and response.url == f"/masalah/baru/?report={report.pk}"


def test_an_outsider_cannot_report_on_another_kecamatan(login):
    data = report_data()
    response = login("camat-paiton").post(URL, data)
    assert response.status_code == 400
    assert "region" in response.context["form"].errors
    assert not Report.objects.filter(client_id=data["client_id"]).exists()


def test_an_external_agency_has_no_form(login):
    response = login("bawaslu").get(URL)
    assert response.status_code == 200
    assert 'id="report-form"' not in response.content.decode()
    data = report_data()
    assert login("bawaslu").post(URL, data).status_code == 400
    assert not Report.objects.filter(client_id=data["client_id"]).exists()


def test_someone_else_reusing_a_client_id_gets_a_conflict(login):
    data = report_data()
    login("desa-3513012001").post(URL, data)
    response = login("camat-sukapura").post(URL, data)
    assert response.status_code == 409
    assert Report.objects.filter(client_id=data["client_id"]).get().author.username == (
        "desa-3513012001"
    )


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith("/masuk/")
