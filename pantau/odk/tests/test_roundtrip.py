"""The done-when of the issue: ODK Collect's round trip, request for request."""

import uuid

import pytest

from pantau.monitoring.models import Photo, Report
from pantau.odk.tests.helpers import NGADISARI, VOTING_MORNING, fill, form_list, jpeg, message

pytestmark = pytest.mark.django_db


def test_odk_collect_round_trip(collect, django_capture_on_commit_callbacks):
    phone = collect("desa-3513012001")

    # "Get blank form": the form list (challenged, then with Basic credentials) ...
    listed = phone.form_list()
    assert listed.status_code == 200
    forms = form_list(listed)
    assert "pantau-pemungutan" in forms and "pantau-masalah" in forms

    # ... and the form, from the list's downloadUrl.
    downloaded = phone.download(forms["pantau-pemungutan"]["downloadUrl"])
    assert downloaded.status_code == 200
    xform = downloaded.content

    # "Send finalized form": HEAD, then the multipart POST with the photo.
    instance_id = uuid.uuid4()
    instance = fill(
        xform,
        {
            "start": VOTING_MORNING,
            "region": NGADISARI,
            "tps": "3",
            "situation": "aman",
            "checklist/tps_buka_tepat": "ya",
            "checklist/surat_suara_cukup": "ya",
            "checklist/gangguan": "tidak_ada",
            "narrative": "Pemungutan suara berjalan lancar.",
            "photo1": "1732674612345.jpg",
            "location": "-7.9105 112.952 2203.4 4.8",
        },
        instance_id,
    )
    with django_capture_on_commit_callbacks(execute=True):
        sent = phone.submit(instance, {"1732674612345.jpg": jpeg()})
    assert sent.status_code == 201, sent.content
    assert message(sent)[0] == "submit_success"

    # The phone did not hear the answer and sends the same again: still a success.
    with django_capture_on_commit_callbacks(execute=True):
        again = phone.submit(instance, {"1732674612345.jpg": jpeg()})
    assert again.status_code in (201, 202)
    assert message(again)[0] == "submit_success"

    # One report, with the photo, processed.
    report = Report.objects.get(client_id=instance_id)
    assert Report.objects.filter(client_id=instance_id).count() == 1
    assert report.channel == "odk" and report.region.code == NGADISARI
    assert report.answers == {
        "tps_buka_tepat": True,
        "surat_suara_cukup": True,
        "gangguan": "tidak ada",
    }
    photos = list(report.photos.all())
    assert len(photos) == 1
    assert photos[0].status == Photo.Status.READY
    assert photos[0].image

    assert [(method, status) for method, _url, status in phone.exchanges] == [
        ("GET", 401),  # the form list, without credentials
        ("GET", 200),
        ("GET", 200),  # the form, with them from now on
        ("HEAD", 204),
        ("POST", 201),
        ("HEAD", 204),
        ("POST", 202),
    ]
