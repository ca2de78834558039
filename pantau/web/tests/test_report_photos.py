"""Photos added to one's own report after it was sent (issue 17): from the report's page, or
from the phone's outbox, stored once however often the outbox sends them; within the cap and
the pixel limit of every channel (issue 13)."""

import json
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pantau.api.tests.test_photo_limits import png_declaring
from pantau.monitoring.models import Photo
from pantau.web.tests.helpers import png_upload
from pantau.web.tests.test_outbox import DESA, queued

pytestmark = pytest.mark.django_db


def url(report) -> str:
    return f"/laporan/{report.pk}/foto/"


def data(*uploads, client_id=None):
    return {"client_id": str(client_id or uuid.uuid4()), "photos": list(uploads)}


def test_the_author_adds_a_photo_from_the_report_page(login, new_report):
    report = new_report()
    client = login(DESA)
    page = client.get(report.get_absolute_url()).content.decode()
    assert 'id="photo-form"' in page and 'data-outbox="photo"' in page
    response = client.post(url(report), data(png_upload()))
    assert response.status_code == 302 and response["Location"] == report.get_absolute_url()
    assert report.photos.count() == 1
    assert "Foto ditambahkan ke laporan" in client.get(response["Location"]).content.decode()


def test_the_same_photos_sent_twice_by_the_outbox_are_stored_once(login, new_report):
    report = new_report()
    client = login(DESA)
    batch = uuid.uuid4()
    first = client.post(
        url(report), data(png_upload(), png_upload(), client_id=batch), headers=queued()
    )
    assert first.status_code == 201
    assert json.loads(first.content)["client_id"] == str(batch)  # the outbox may delete it now
    again = client.post(
        url(report), data(png_upload(), png_upload(), client_id=batch), headers=queued()
    )
    assert again.status_code == 200 and json.loads(again.content)["created"] is False
    assert report.photos.count() == 2


def test_a_fourth_photo_is_refused_and_the_three_stay(login, new_report):
    report = new_report()
    client = login(DESA)
    client.post(url(report), data(png_upload(), png_upload()))
    response = client.post(url(report), data(png_upload(), png_upload()), headers=queued())
    assert response.status_code == 400
    body = json.loads(response.content)
    assert set(body) == {"detail", "code", "fields"}  # the API's error shape
    assert body["code"] == "too_many_photos" and set(body["fields"]) == {"photos"}
    assert report.photos.count() == 2  # nothing stored is lost, nothing half added
    plain = client.post(url(report), data(png_upload(), png_upload()))
    assert plain.status_code == 400 and "paling banyak memuat 3 foto" in plain.content.decode()
    client.post(url(report), data(png_upload()))
    page = client.get(report.get_absolute_url()).content.decode()
    assert 'id="photo-form"' not in page and 'id="photos-full"' in page


def test_a_picture_over_the_pixel_limit_is_refused_by_its_size(login, new_report):
    report = new_report()
    bomb = SimpleUploadedFile("bom.png", png_declaring(10900, 10900), content_type="image/png")
    response = login(DESA).post(url(report), data(bomb))
    assert response.status_code == 400
    assert "10900×10900 piksel" in response.content.decode()
    assert not Photo.objects.filter(report=report).exists()


def test_only_the_author_adds_photos_and_an_outsider_sees_nothing(login, new_report):
    report = new_report()
    reader = login("camat-sukapura")  # sees the report, did not write it
    assert 'id="photo-form"' not in reader.get(report.get_absolute_url()).content.decode()
    assert reader.post(url(report), data(png_upload())).status_code == 403
    assert login("camat-tongas").post(url(report), data(png_upload())).status_code == 404
    assert login("bupati").post(url(report), data(png_upload())).status_code == 403
    assert not report.photos.exists()


def test_an_item_of_another_account_is_refused_in_the_one_shape(login, new_report):
    report = new_report()
    response = login(DESA).post(url(report), data(png_upload()), headers=queued(user="x"))
    assert response.status_code == 403
    assert json.loads(response.content)["code"] == "other_user"
    assert not report.photos.exists()
