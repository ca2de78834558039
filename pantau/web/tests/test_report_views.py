import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pantau.monitoring.actions import do_add_photo
from pantau.monitoring.models import Report
from pantau.monitoring.tests.test_photos import jpeg_with_gps
from pantau.web.tests.helpers import SUKAPURA, TONGAS, png_bytes, stage

pytestmark = pytest.mark.django_db


def listed(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/laporan/(\d+)/"', response.content.decode())]


@pytest.fixture
def reports(new_report):
    """A village report and a kecamatan report in Sukapura, one in Tongas."""
    return {
        "village": new_report(situation="waspada", narrative="Jalan licin"),
        "sukapura": new_report(
            username="camat-sukapura",
            region=SUKAPURA,
            situation="rawan",
            observed_at=dt.datetime(2024, 11, 26, 15, 0),
            answers={"logistik_tiba": True, "kondisi_logistik": "kurang", "tps_siap": True},
        ),
        "tongas": new_report(username="camat-tongas", region=TONGAS),
    }


def test_the_list_shows_the_territory_newest_first(login, reports):
    shown = listed(login("camat-sukapura").get("/laporan/"))
    assert reports["village"].pk in shown and reports["sukapura"].pk in shown
    assert reports["tongas"].pk not in shown
    assert shown.index(reports["village"].pk) < shown.index(reports["sukapura"].pk)
    assert reports["village"].pk not in listed(login("camat-tongas").get("/laporan/"))


def test_a_village_sees_its_own_village_only(login, reports):
    shown = listed(login("desa-3513012001").get("/laporan/"))
    assert reports["village"].pk in shown
    assert reports["sukapura"].pk not in shown and reports["tongas"].pk not in shown


@pytest.mark.parametrize(
    "query,expected",
    [
        ({"situation": "rawan"}, {"sukapura"}),
        ({"situation": "waspada"}, {"village"}),
        ({"kecamatan": TONGAS}, {"tongas"}),
        ({"kecamatan": SUKAPURA}, {"village", "sukapura"}),
        ({"day": "2024-11-26"}, {"sukapura"}),  # a WIB date
    ],
)
def test_the_filters_narrow_the_list(login, reports, query, expected):
    shown = set(listed(login("asisten-pemkesra").get("/laporan/", query)))
    assert {k for k, r in reports.items() if r.pk in shown} == expected


def test_the_stage_filter(login, reports):
    shown = set(
        listed(login("asisten-pemkesra").get("/laporan/", {"stage": stage("masa-tenang").pk}))
    )
    assert reports["sukapura"].pk in shown and reports["village"].pk not in shown


def test_htmx_gets_only_the_results(login, reports):
    response = login("camat-sukapura").get(
        "/laporan/", {"situation": "rawan"}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert page.startswith('<section id="results"') and "<html" not in page
    assert reports["sukapura"].pk in listed(response)


def test_the_list_needs_few_queries_and_pages_by_25(
    login, new_report, django_assert_max_num_queries
):
    for _ in range(30):
        new_report()
    client = login("camat-sukapura")
    with django_assert_max_num_queries(12):
        response = client.get("/laporan/")
    assert response.status_code == 200 and len(listed(response)) == 25
    assert len(listed(client.get("/laporan/?page=2"))) >= 5


def test_a_report_shows_its_answers_with_their_questions(login, reports):
    page = login("camat-sukapura").get(f"/laporan/{reports['village'].pk}/").content.decode()
    assert "TPS dibuka tepat pukul 07.00 WIB?" in page  # the question text, from the data
    assert 'data-code="gangguan">tidak ada<' in page
    assert "Jalan licin" in page
    assert f'href="/masalah/baru/?report={reports["village"].pk}"' in page


def test_a_location_far_outside_the_region_is_flagged(login, new_report):
    far = new_report(lat=-7.75, lon=113.45)  # Paiton, not Ngadisari
    assert far.location_flagged
    page = login("desa-3513012001").get(f"/laporan/{far.pk}/").content.decode()
    assert "location-flagged" in page
    near = new_report(lat=-7.93, lon=112.95)
    page = login("desa-3513012001").get(f"/laporan/{near.pk}/").content.decode()
    assert "location-flagged" not in page


def test_an_outsider_gets_404_and_so_does_a_missing_report(login, reports):
    assert login("camat-paiton").get(f"/laporan/{reports['village'].pk}/").status_code == 404
    assert login("bawaslu").get(f"/laporan/{reports['village'].pk}/").status_code == 404
    assert login("camat-paiton").get("/laporan/999999/").status_code == 404


def test_the_author_always_sees_their_own_report(login, users, reports):
    report = reports["tongas"]
    camat = users["camat-tongas"]
    camat.position = None  # moved away: no territory any more
    camat.save(update_fields=["position"])
    assert login("camat-tongas").get(f"/laporan/{report.pk}/").status_code == 200


def test_photos_are_served_through_the_access_check(
    login, users, reports, django_capture_on_commit_callbacks
):
    report = reports["village"]
    pending = do_add_photo(
        report,
        acting_user=users["desa-3513012001"],
        upload=SimpleUploadedFile("a.png", png_bytes()),
    )
    with django_capture_on_commit_callbacks(execute=True):
        ready = do_add_photo(
            report,
            acting_user=users["desa-3513012001"],
            upload=SimpleUploadedFile("b.png", png_bytes()),
        )
    ready.refresh_from_db()
    assert ready.status == "ready"
    client = login("camat-sukapura")
    page = client.get(f"/laporan/{report.pk}/").content.decode()
    assert f'<img src="/foto/{ready.pk}/" loading="lazy"' in page
    assert f"/foto/{pending.pk}/" not in page and "photo-pending" in page
    assert "/media/" not in page
    response = client.get(f"/foto/{ready.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"
    assert client.get(f"/foto/{pending.pk}/").status_code == 404  # not processed yet
    assert login("camat-paiton").get(f"/foto/{ready.pk}/").status_code == 404


def test_the_report_links_to_its_problems(login, reports, new_problem):
    problem = new_problem(report=reports["village"])
    page = login("desa-3513012001").get(f"/laporan/{reports['village'].pk}/").content.decode()
    assert f'href="/masalah/{problem.pk}/"' in page
    assert Report.objects.get(pk=reports["village"].pk).problems.get() == problem


def test_without_a_location_sent_the_photos_own_stands_in_marked_as_such(
    login, users, reports, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    report = reports["village"]  # sent without a location
    client = login("camat-sukapura")
    page = client.get(f"/laporan/{report.pk}/").content.decode()
    assert "tidak dicantumkan" in page and "location-from-photo" not in page
    photo = do_add_photo(
        report,
        acting_user=users["desa-3513012001"],
        upload=SimpleUploadedFile("a.jpg", jpeg_with_gps(size=(300, 200))),
    )
    assert photo.status == "ready" and photo.lat == pytest.approx(-7.9105)
    page = client.get(f"/laporan/{report.pk}/").content.decode()
    assert 'href="geo:-7.910500,112.952000"' in page
    assert "-7.91050, 112.95200" in page  # decimal points: a comma separates the two
    assert 'id="location-from-photo">dari foto<' in page
    assert "tidak dicantumkan" not in page


def test_the_kecamatan_of_a_village_is_named_once(login, reports):
    page = login("camat-sukapura").get(f"/laporan/{reports['village'].pk}/").content.decode()
    assert "<dt>Kecamatan</dt><dd>Sukapura</dd>" in page
