import datetime as dt
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pantau.monitoring.models import Photo, Report
from pantau.odk.models import OdkSubmission
from pantau.odk.tests.helpers import (
    NGADISARI,
    TONGAS,
    VOTING_MORNING,
    basic,
    fill,
    form_list,
    jpeg,
    message,
)
from pantau.odk.views import ACCEPT_CONTENT_LENGTH
from pantau.problems.models import Attachment, Problem

pytestmark = pytest.mark.django_db

PHOTO = "1732674612345.jpg"  # Collect names a photo after the time it was taken


def instance_xml(instance_id, version, region=NGADISARI, photo=PHOTO) -> bytes:
    """A filled voting-day checklist exactly as ODK Collect writes it."""
    return f"""<?xml version='1.0' ?><data xmlns:h="http://www.w3.org/1999/xhtml" \
xmlns:jr="http://openrosa.org/javarosa" xmlns:orx="http://openrosa.org/xforms" \
xmlns:odk="http://www.opendatakit.org/xforms" xmlns:ev="http://www.w3.org/2001/xml-events" \
xmlns:xsd="http://www.w3.org/2001/XMLSchema" id="pantau-pemungutan" version="{version}">\
<start>{VOTING_MORNING}</start><region>{region}</region><tps>3</tps>\
<situation>waspada</situation><checklist><tps_buka_tepat>tidak</tps_buka_tepat>\
<jam_buka>07.20</jam_buka><dpt_ditempel>ya</dpt_ditempel>\
<surat_suara_cukup>ya</surat_suara_cukup><pemilih_ditolak/><gangguan>tidak_ada</gangguan>\
<netralitas_asn/><politik_uang/><pemilih_hadir>112</pemilih_hadir></checklist>\
<narrative>TPS buka terlambat 20 menit.</narrative><photo1>{photo}</photo1><photo2/><photo3/>\
<location>-7.9105 112.952 2203.4 4.8</location>\
<meta><instanceID>uuid:{instance_id}</instanceID></meta></data>""".encode()


@pytest.fixture
def phone(collect):
    return collect("desa-3513012001")


@pytest.fixture
def forms(phone):
    """formID -> the XForm, as the phone downloaded them."""
    listed = form_list(phone.form_list())
    return {
        form_id: phone.download(item["downloadUrl"]).content for form_id, item in listed.items()
    }


def version(phone, form_id="pantau-pemungutan"):
    return form_list(phone.form_list())[form_id]["version"]


VOTING_VALUES = {
    "start": VOTING_MORNING,
    "region": NGADISARI,
    "situation": "aman",
    "checklist/tps_buka_tepat": "ya",
    "checklist/surat_suara_cukup": "ya",
    "checklist/gangguan": "tidak_ada",
}


def test_head_answers_204_with_the_openrosa_headers(phone):
    response = phone.send("HEAD", "/odk/submission")
    assert [status for _m, _u, status in phone.exchanges] == [401, 204]
    assert response.status_code == 204
    assert response["X-OpenRosa-Version"] == "1.0"
    assert response["Date"]
    assert response["X-OpenRosa-Accept-Content-Length"] == str(ACCEPT_CONTENT_LENGTH)


def test_the_challenge_also_tells_the_accepted_size(client):
    response = client.head("/odk/submission", HTTP_X_OPENROSA_VERSION="1.0")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith('Basic realm="Pantau"')
    assert response["X-OpenRosa-Accept-Content-Length"]


def test_a_submission_becomes_a_report_with_its_photo(phone, users):
    instance_id = uuid.uuid4()
    response = phone.submit(instance_xml(instance_id, version(phone)), {PHOTO: jpeg()})
    assert response.status_code == 201, response.content
    assert response["X-OpenRosa-Version"] == "1.0" and response["Date"]
    assert response["X-OpenRosa-Accept-Content-Length"]
    assert response["Content-Language"] == "id"
    assert message(response)[0] == "submit_success"
    report = Report.objects.get(client_id=instance_id)
    assert report.channel == "odk"
    assert report.author == users["desa-3513012001"]
    assert report.region.code == NGADISARI and report.tps == "003"
    assert report.situation == "waspada"
    assert report.checklist.code == "pemungutan" and report.stage.code == "pemungutan"
    assert report.answers == {
        "tps_buka_tepat": False,
        "jam_buka": "07.20",
        "dpt_ditempel": True,
        "surat_suara_cukup": True,
        "gangguan": "tidak ada",
        "pemilih_hadir": 112,
    }
    assert report.narrative == "TPS buka terlambat 20 menit."
    assert (report.lat, report.lon) == (-7.9105, 112.952)
    assert report.observed_at == dt.datetime(2024, 11, 27, 2, 30, 12, 345000, tzinfo=dt.UTC)
    assert report.photos.count() == 1
    stored = OdkSubmission.objects.get(instance_id=instance_id)
    assert stored.report == report and stored.form_id == "pantau-pemungutan"
    assert stored.attachment_names == [PHOTO]


def test_the_same_submission_again_is_stored_once(phone):
    instance_id = uuid.uuid4()
    xml = instance_xml(instance_id, version(phone))
    assert phone.submit(xml, {PHOTO: jpeg()}).status_code == 201
    again = phone.submit(xml, {PHOTO: jpeg()})
    assert again.status_code == 202  # ODK Collect counts 201 and 202 as sent
    assert message(again)[0] == "submit_success"
    assert Report.objects.filter(client_id=instance_id).count() == 1
    assert Photo.objects.filter(report__client_id=instance_id).count() == 1
    assert OdkSubmission.objects.filter(instance_id=instance_id).count() == 1


def test_a_submission_in_parts_adds_only_the_missing_photos(phone, forms):
    instance_id = uuid.uuid4()
    values = {**VOTING_VALUES, "photo1": "a.jpg", "photo2": "b.jpg"}
    xml = fill(forms["pantau-pemungutan"], values, instance_id)
    first = phone.submit(xml, {"a.jpg": jpeg()}, incomplete=True)
    assert first.status_code == 201
    report = Report.objects.get(client_id=instance_id)
    assert report.photos.count() == 1
    second = phone.submit(xml, {"a.jpg": jpeg(), "b.jpg": jpeg(color=(1, 2, 3))})
    assert second.status_code == 201
    assert report.photos.count() == 2
    assert phone.submit(xml, {"a.jpg": jpeg(), "b.jpg": jpeg()}).status_code == 202
    assert report.photos.count() == 2
    assert OdkSubmission.objects.get(instance_id=instance_id).attachment_names == [
        "a.jpg",
        "b.jpg",
    ]


def test_a_problem_submission_becomes_a_problem_with_its_attachment(phone, forms, users):
    instance_id = uuid.uuid4()
    values = {
        "start": VOTING_MORNING,
        "region": NGADISARI,
        "tps": "5",
        "title": "Kotak suara belum tiba",
        "category": "logistik",
        "severity": "tinggi",
        "description": "Sampai pukul 06.30 kotak suara belum tiba di TPS 005.",
        "suggestion": "PPS mengirim ulang dengan kendaraan desa.",
        "photo1": PHOTO,
        "location": "-7.9105 112.952 0 5",
    }
    xml = fill(forms["pantau-masalah"], values, instance_id)
    response = phone.submit(xml, {PHOTO: jpeg()})
    assert response.status_code == 201, response.content
    problem = Problem.objects.get(client_id=instance_id)
    assert problem.reporter == users["desa-3513012001"]
    assert problem.title == "Kotak suara belum tiba"
    assert problem.category.code == "logistik" and problem.severity == "tinggi"
    assert problem.region.code == NGADISARI and problem.tps == "005"
    assert problem.suggestion == "PPS mengirim ulang dengan kendaraan desa."
    assert (problem.lat, problem.lon) == (-7.9105, 112.952)
    assert Attachment.objects.filter(problem=problem).count() == 1
    assert phone.submit(xml, {PHOTO: jpeg()}).status_code == 202
    assert Problem.objects.filter(client_id=instance_id).count() == 1
    assert Attachment.objects.filter(problem=problem).count() == 1


@pytest.mark.parametrize(
    "xml",
    [
        b"<data id='pantau-pemungutan'><region>",
        b"not xml at all",
        b"",
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        b'<data id="pantau-pemungutan"><narrative>&b;</narrative></data>',
    ],
    ids=["truncated", "text", "empty", "entities"],
)
def test_malformed_xml_is_refused(phone, xml):
    response = phone.submit(xml)
    assert response.status_code == 400
    assert message(response)[0] == "invalid_xml"
    assert response["X-OpenRosa-Version"] == "1.0"


def test_an_instance_without_instance_id_is_refused(phone):
    xml = b"<?xml version='1.0' ?><data id=\"pantau-pemungutan\"><region>x</region></data>"
    response = phone.submit(xml)
    assert response.status_code == 400 and message(response)[0] == "invalid_xml"


def test_a_post_without_the_xml_file_is_refused(phone):
    phone.send("HEAD", "/odk/submission")
    response = phone.send("POST", "/odk/submission", {"note": "x"})
    assert response.status_code == 400
    assert message(response)[0] == "invalid_request"


def test_an_unknown_form_is_refused(phone, forms):
    xml = fill(forms["pantau-pemungutan"], VOTING_VALUES).replace(
        b'id="pantau-pemungutan"', b'id="pantau-lama"'
    )
    response = phone.submit(xml)
    assert response.status_code == 400
    assert message(response)[0] == "unknown_form"


@pytest.mark.parametrize("region", [TONGAS, "35.13.23.2001", "99.99.99"])
def test_a_region_outside_the_territory_is_forbidden(phone, forms, region):
    instance_id = uuid.uuid4()
    xml = fill(forms["pantau-pemungutan"], {**VOTING_VALUES, "region": region}, instance_id)
    response = phone.submit(xml)
    assert response.status_code == 403
    assert message(response)[0] == "outside_territory"
    assert not Report.objects.filter(client_id=instance_id).exists()
    assert not OdkSubmission.objects.filter(instance_id=instance_id).exists()


@pytest.mark.parametrize(
    "changes",
    [
        {"checklist/gangguan": "gempa"},  # not a choice
        {"checklist/tps_buka_tepat": "mungkin"},
        {"checklist/surat_suara_cukup": None},  # required
        {"checklist/pemilih_hadir": "banyak"},
        {"situation": "kacau"},
        {"tps": "1000"},
        {"location": "dekat balai desa"},
        {"location": "95 112 0 0"},
        {"start": "kemarin"},
        {"start": "2099-01-01T08:00:00.000+07:00"},  # the phone's clock is wrong
        {"region": None},
    ],
)
def test_bad_values_are_refused_and_nothing_is_stored(phone, forms, changes):
    instance_id = uuid.uuid4()
    values = {k: v for k, v in {**VOTING_VALUES, **changes}.items() if v is not None}
    response = phone.submit(fill(forms["pantau-pemungutan"], values, instance_id))
    assert response.status_code == 400, response.content
    nature, text = message(response)
    assert nature == "invalid" and text
    assert not Report.objects.filter(client_id=instance_id).exists()


def test_a_photo_that_is_not_a_photo_leaves_nothing_behind(phone, forms):
    instance_id = uuid.uuid4()
    xml = fill(forms["pantau-pemungutan"], {**VOTING_VALUES, "photo1": PHOTO}, instance_id)
    response = phone.submit(xml, {PHOTO: b"%PDF-1.4 not a photo"})
    assert response.status_code == 400
    assert message(response)[0] == "unsupported_type"
    assert not Report.objects.filter(client_id=instance_id).exists()
    assert not OdkSubmission.objects.filter(instance_id=instance_id).exists()
    # Sent again with a real photo, it is stored.
    assert phone.submit(xml, {PHOTO: jpeg()}).status_code == 201


def test_a_wrong_password_stores_nothing(collect, forms):
    instance_id = uuid.uuid4()
    xml = fill(forms["pantau-pemungutan"], VOTING_VALUES, instance_id)
    response = collect("desa-3513012001", "salah").send(
        "POST", "/odk/submission", {"xml_submission_file": xml}
    )
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Basic ")
    assert not Report.objects.filter(client_id=instance_id).exists()


def test_an_instance_id_of_someone_else_is_a_conflict(phone, collect, forms):
    instance_id = uuid.uuid4()
    assert (
        phone.submit(
            fill(
                forms["pantau-masalah"],
                {
                    "region": NGADISARI,
                    "title": "Banjir",
                    "category": "bencana-cuaca",
                    "severity": "sedang",
                },
                instance_id,
            )
        ).status_code
        == 201
    )
    camat = collect("camat-sukapura")
    camat_form = camat.download("/odk/forms/pantau-masalah.xml").content
    xml = fill(
        camat_form,
        {"region": NGADISARI, "title": "Banjir", "category": "bencana-cuaca", "severity": "sedang"},
        instance_id,
    )
    response = camat.submit(xml)
    assert response.status_code == 409
    assert message(response)[0] == "client_id_taken"


def test_an_agency_cannot_submit(collect, forms):
    xml = fill(forms["pantau-pemungutan"], VOTING_VALUES)
    response = collect("bawaslu").submit(xml)
    assert response.status_code == 403
    assert message(response)[0] == "forbidden"


def test_it_needs_no_csrf_token(users, forms):
    """Collect has no cookies and no CSRF token: the endpoint is exempt (credentials come with
    every request instead)."""
    client = Client(enforce_csrf_checks=True)
    instance_id = uuid.uuid4()
    xml = fill(forms["pantau-pemungutan"], VOTING_VALUES, instance_id)
    response = client.post(
        "/odk/submission",
        {"xml_submission_file": SimpleUploadedFile("instance.xml", xml, "text/xml")},
        HTTP_AUTHORIZATION=basic("desa-3513012001", "pantau-demo"),
        HTTP_X_OPENROSA_VERSION="1.0",
    )
    assert response.status_code == 201
    assert Report.objects.filter(client_id=instance_id).exists()


@pytest.mark.hostile
def test_deeply_nested_xml_is_a_400_not_a_500(phone):
    """2,000 nested elements (14 kB) made the reader recurse past Python's limit: a 500 that
    ODK Collect retries forever."""
    depth = 2000
    xml = (
        b'<?xml version="1.0"?><data id="pantau-kampanye">'
        + b"<a>" * depth
        + b"x"
        + b"</a>" * depth
        + b"</data>"
    )
    response = phone.submit(xml)
    assert response.status_code == 400
    assert message(response)[0] == "invalid_xml"
    assert response["X-OpenRosa-Version"] == "1.0"


def test_a_form_as_deep_as_the_limit_is_still_read():
    from pantau.odk.instances import MAX_DEPTH, parse_instance

    nested = b"<g>" * (MAX_DEPTH - 3) + b"v" + b"</g>" * (MAX_DEPTH - 3)
    xml = (
        b'<data id="f"><meta><instanceID>uuid:5b3c2a52-4f9a-4f0e-9c55-0d5fbd5c1f11'
        b"</instanceID></meta>" + nested + b"</data>"
    )
    instance = parse_instance(xml)
    assert instance.get("/".join(["g"] * (MAX_DEPTH - 3))) == "v"
    assert instance.get("meta/instanceID").startswith("uuid:")


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_a_refused_second_photo_leaves_no_file_behind(phone, forms, settings):
    instance_id = uuid.uuid4()
    values = {**VOTING_VALUES, "photo1": "a.jpg", "photo2": "b.jpg"}
    xml = fill(forms["pantau-pemungutan"], values, instance_id)
    response = phone.submit(xml, {"a.jpg": jpeg(), "b.jpg": b"%PDF-1.4 not a photo"})
    assert response.status_code == 400
    assert not Report.objects.filter(client_id=instance_id).exists()
    assert stored_files(settings) == []


def test_a_write_failing_in_the_transaction_removes_the_photos_written(
    phone, forms, settings, monkeypatch
):
    from pantau.odk import actions

    def refuse(report):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(actions, "do_insert_report", refuse)
    instance_id = uuid.uuid4()
    xml = fill(forms["pantau-pemungutan"], {**VOTING_VALUES, "photo1": PHOTO}, instance_id)
    with pytest.raises(RuntimeError):
        phone.submit(xml, {PHOTO: jpeg()})
    assert stored_files(settings) == []
    assert not OdkSubmission.objects.filter(instance_id=instance_id).exists()


def test_the_form_checks_and_photo_are_done_before_the_write_transaction(phone, forms, monkeypatch):
    """The write transaction (on SQLite the database's write lock) holds only the writes: the
    form is built, the report checked and the photo written before it opens."""
    from django.db import connection

    from pantau.lib.staging import Staging
    from pantau.odk import actions

    depth = {}

    def spy(name, function):
        def call(*args, **kwargs):
            depth[name] = len(connection.atomic_blocks)
            return function(*args, **kwargs)

        return call

    monkeypatch.setattr(actions, "find_form", spy("form", actions.find_form))
    monkeypatch.setattr(actions, "prepare_report", spy("check", actions.prepare_report))
    monkeypatch.setattr(Staging, "put", spy("photo", Staging.put))
    monkeypatch.setattr(actions, "do_insert_report", spy("write", actions.do_insert_report))
    outside = len(connection.atomic_blocks)  # the test's own transaction
    instance_id = uuid.uuid4()
    xml = fill(forms["pantau-pemungutan"], {**VOTING_VALUES, "photo1": PHOTO}, instance_id)
    assert phone.submit(xml, {PHOTO: jpeg()}).status_code == 201
    assert depth["form"] == depth["check"] == depth["photo"] == outside
    assert depth["write"] == outside + 1
    assert Report.objects.get(client_id=instance_id).photos.count() == 1
