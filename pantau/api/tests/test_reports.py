"""POST /reports (idempotent by client_id), GET /reports (filters, pages), GET /reports/{id},
POST /reports/{id}/photos."""

import datetime as dt
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from pantau.api.tests.conftest import error_shape
from pantau.conftest import NGADISARI, VOTING_ANSWERS
from pantau.monitoring.models import Photo, Report

pytestmark = pytest.mark.django_db

SUKAPURA = "35.13.01"
TONGAS = "35.13.23"


def report_body(**changes) -> dict:
    body = {
        "client_id": str(uuid.uuid4()),
        "region": NGADISARI,
        "observed_at": "2024-11-27T09:30:00",  # WIB, as a phone sends it
        "status": "waspada",
        "stage": "pemungutan",
        "tps": "3",
        "narrative": "Antrean panjang",
        "answers": VOTING_ANSWERS,
        "lat": -7.92,
        "lon": 112.96,
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not ...}


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def test_a_report_is_created_with_every_field(api_as):
    body = report_body()
    response = api_as("desa-3513012001").post("/reports", body)
    assert response.status_code == 201, response.content
    got = response.json()
    report = Report.objects.get(pk=got["id"])
    assert got["client_id"] == body["client_id"] == str(report.client_id)
    assert (got["region"], got["tps"], got["stage"], got["checklist"]) == (
        NGADISARI,
        "003",
        "pemungutan",
        "pemungutan",
    )
    assert got["status"] == got["situation"] == "waspada"
    assert got["channel"] == "api" and report.channel == "api"
    assert got["author"] == "desa-3513012001"
    assert got["answers"] == {
        "tps_buka_tepat": True,
        "surat_suara_cukup": True,
        "gangguan": "tidak ada",
    }
    assert dt.datetime.fromisoformat(got["observed_at"]) == dt.datetime(
        2024, 11, 27, 2, 30, tzinfo=dt.UTC
    )
    assert got["received_at"] and got["photos"] == []
    assert (got["lat"], got["lon"], got["narrative"]) == (-7.92, 112.96, "Antrean panjang")


def test_the_same_report_sent_five_times_is_stored_once(api_as):
    caller = api_as("desa-3513012001")
    body = report_body()
    statuses, ids = [], set()
    for _ in range(5):
        response = caller.post("/reports", body)
        statuses.append(response.status_code)
        ids.add(response.json()["id"])
    assert statuses == [201, 200, 200, 200, 200]
    assert len(ids) == 1
    assert Report.objects.filter(client_id=body["client_id"]).count() == 1


def test_a_client_id_of_someone_else_is_a_conflict(api_as):
    body = report_body()
    assert api_as("desa-3513012001").post("/reports", body).status_code == 201
    response = api_as("camat-sukapura").post("/reports", body)
    assert error_shape(response, 409, "client_id_taken")["fields"] == {
        "client_id": response.json()["fields"]["client_id"]
    }


def test_the_stage_follows_the_time_observed_when_not_given(api_as):
    answers = {"logistik_tiba": "ya", "kondisi_logistik": "baik dan lengkap", "tps_siap": "ya"}
    body = report_body(stage=..., answers=answers, observed_at="2024-11-25T08:00:00+07:00")
    got = api_as("camat-sukapura").post("/reports", body).json()
    assert got["stage"] == "masa-tenang"


def test_a_tps_number_may_be_a_number(api_as):
    got = api_as("desa-3513012001").post("/reports", report_body(tps=12)).json()
    assert got["tps"] == "012"


def test_posting_a_report_takes_few_queries(api_as, django_assert_max_num_queries):
    caller = api_as("desa-3513012001")
    with django_assert_max_num_queries(15):
        assert caller.post("/reports", report_body()).status_code == 201


@pytest.mark.parametrize(
    "changes,fields",
    [
        ({"status": "gawat"}, {"status"}),
        ({"client_id": "bukan-uuid"}, {"client_id"}),
        ({"region": ...}, {"region"}),
        ({"observed_at": "kemarin"}, {"observed_at"}),
        ({"observed_at": "2999-01-01T00:00:00"}, {"observed_at"}),  # in the future
        ({"stage": "tidak-ada"}, {"stage"}),
        ({"checklist": "tidak-ada"}, {"checklist"}),
        ({"checklist": "kampanye"}, {"checklist"}),  # not one of the stage's
        ({"answers": {"tps_buka_tepat": "mungkin"}}, {"answers.tps_buka_tepat"}),
        ({"answers": {"tps_buka_tepat": [1]}}, {"answers.tps_buka_tepat"}),
        ({"lat": 95}, {"lat"}),
        ({"lat": "utara"}, {"lat"}),
        ({"tps": "abc"}, {"tps"}),
        ({"narrative": "x" * 10001}, {"narrative"}),
        ({"region": SUKAPURA[:5]}, {"region"}),  # the regency: not a kecamatan or village
    ],
)
def test_a_bad_report_is_400_naming_the_field(api_as, changes, fields):
    response = api_as("bupati").post("/reports", report_body(**changes))
    assert fields <= set(error_shape(response, 400)["fields"]), response.json()
    assert not Report.objects.filter(channel="api").exists()


def test_a_report_outside_the_territory_is_404(api_as):
    error_shape(api_as("camat-tongas").post("/reports", report_body()), 404, "not_found")
    error_shape(api_as("bawaslu").post("/reports", report_body()), 404, "not_found")
    assert not Report.objects.filter(channel="api").exists()


def test_one_report_inside_and_outside(api_as, new_report):
    report = new_report()
    got = api_as("camat-sukapura").get(f"/reports/{report.pk}").json()
    assert got["id"] == report.pk and got["channel"] == "web"
    body = error_shape(api_as("camat-tongas").get(f"/reports/{report.pk}"), 404, "not_found")
    assert "narrative" not in body
    error_shape(api_as("camat-tongas").get("/reports/999999"), 404, "not_found")


@pytest.fixture
def three(no_demo_reports, new_report):
    """A village report and a kecamatan report in Sukapura, one in Tongas (and no other: the
    demo's are removed, so that each filter's answer is exactly the test's)."""
    return {
        "village": new_report(situation="waspada"),
        "sukapura": new_report(
            username="camat-sukapura",
            region=SUKAPURA,
            situation="rawan",
            observed_at=dt.datetime(2024, 11, 26, 15, 0),
            answers={"logistik_tiba": True, "kondisi_logistik": "kurang", "tps_siap": True},
        ),
        "tongas": new_report(username="camat-tongas", region=TONGAS),
    }


def listed(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_the_list_is_the_territory_newest_first(api_as, three):
    shown = listed(api_as("camat-sukapura").get("/reports"))
    assert three["village"].pk in shown and three["sukapura"].pk in shown
    assert three["tongas"].pk not in shown
    assert shown.index(three["village"].pk) < shown.index(three["sukapura"].pk)
    village = set(listed(api_as("desa-3513012001").get("/reports")))
    assert three["village"].pk in village
    assert not village & {three["sukapura"].pk, three["tongas"].pk}
    assert listed(api_as("bawaslu").get("/reports")) == []


@pytest.mark.parametrize(
    "query,expected",
    [
        ({"status": "rawan"}, {"sukapura"}),
        ({"status": "waspada"}, {"village"}),
        ({"region": TONGAS}, {"tongas"}),
        ({"region": SUKAPURA}, {"village", "sukapura"}),
        ({"region": NGADISARI}, {"village"}),
        ({"since": "2024-11-27T00:00:00"}, {"village", "tongas"}),  # WIB
        ({"until": "2024-11-27T00:00:00+07:00"}, {"sukapura"}),
        ({"since": "2024-11-26T07:00:00Z", "until": "2024-11-26T09:00:00Z"}, {"sukapura"}),
    ],
)
def test_the_filters_narrow_the_list(api_as, three, query, expected):
    shown = set(listed(api_as("asisten-pemkesra").get("/reports", query)))
    assert {k for k, r in three.items() if r.pk in shown} == expected


@pytest.mark.parametrize(
    "query,field",
    [({"status": "gawat"}, "status"), ({"since": "kemarin"}, "since"), ({"page": "0"}, "page")],
)
def test_a_bad_filter_is_400(api_as, query, field):
    body = error_shape(api_as("camat-sukapura").get("/reports", query), 400, "invalid")
    assert set(body["fields"]) == {field}


def test_the_list_pages_by_50_with_a_link_to_the_next(
    api_as, new_report, django_assert_max_num_queries
):
    caller = api_as("desa-3513012001")
    before = caller.get("/reports", {"status": "aman"}).json()["count"]  # the demo's own
    for minute in range(55 - before):
        new_report(observed_at=dt.datetime(2024, 11, 27, 9, minute))
    with django_assert_max_num_queries(6):
        first = caller.get("/reports", {"status": "aman"}).json()
    assert first["count"] == 55 and len(first["items"]) == 50
    assert first["next"].startswith("http://testserver/api/v1/reports?")
    assert "status=aman" in first["next"] and "page=2" in first["next"]
    second = caller.client.get(first["next"], headers=caller.headers).json()
    assert len(second["items"]) == 5 and second["next"] is None
    assert not {r["id"] for r in first["items"]} & {r["id"] for r in second["items"]}
    beyond = caller.get("/reports", {"page": 9, "status": "aman"}).json()
    assert beyond["items"] == [] and beyond["next"] is None and beyond["count"] == 55


def test_a_photo_is_accepted(api_as, new_report):
    report = new_report()
    photo = SimpleUploadedFile("foto.png", png_bytes(), content_type="image/png")
    response = api_as("desa-3513012001").upload(f"/reports/{report.pk}/photos", {"photo": photo})
    assert response.status_code == 201, response.content
    got = response.json()
    assert got["status"] == "pending"
    assert Photo.objects.get(pk=got["id"]).report == report
    shown = api_as("desa-3513012001").get(f"/reports/{report.pk}").json()
    assert shown["photos"] == [{"id": got["id"], "status": "pending"}]


def test_a_file_that_is_not_an_image_is_refused(api_as, new_report):
    report = new_report()
    fake = SimpleUploadedFile("foto.png", b"MZ\x90\x00 not an image", content_type="image/png")
    response = api_as("desa-3513012001").upload(f"/reports/{report.pk}/photos", {"photo": fake})
    body = error_shape(response, 400, "unsupported_type")
    assert set(body["fields"]) == {"photo"}
    assert not report.photos.exists()


def test_a_too_large_photo_is_413(api_as, new_report, settings):
    settings.PHOTO_MAX_BYTES = 50
    report = new_report()
    photo = SimpleUploadedFile("foto.png", png_bytes(), content_type="image/png")
    response = api_as("desa-3513012001").upload(f"/reports/{report.pk}/photos", {"photo": photo})
    error_shape(response, 413, "too_large")


def test_a_photo_needs_the_photo_field(api_as, new_report):
    report = new_report()
    response = api_as("desa-3513012001").upload(f"/reports/{report.pk}/photos", {})
    assert set(error_shape(response, 400, "invalid")["fields"]) == {"photo"}


def test_a_photo_for_a_report_outside_is_404(api_as, new_report):
    report = new_report()
    photo = SimpleUploadedFile("foto.png", png_bytes(), content_type="image/png")
    response = api_as("camat-tongas").upload(f"/reports/{report.pk}/photos", {"photo": photo})
    error_shape(response, 404, "not_found")
    assert not report.photos.exists()
