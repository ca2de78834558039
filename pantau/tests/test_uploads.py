"""Every upload path keeps to the rules: no name or path from the client on disk, the type read
from the content (not the name), images re-encoded, size limits answered with a message and a
4xx, and nothing stored when refused. (Photos: web form, API and ODK all go through
monitoring.actions.do_add_photo; attachments: web and ODK through problems.actions.
do_add_attachment; those are tested in their apps, this covers what crosses the HTTP edge.)"""

import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from pantau.api.actions import do_issue_token
from pantau.monitoring.models import Photo
from pantau.problems.models import Attachment

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    cache.clear()
    yield tmp_path
    cache.clear()


def png_bytes(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def files_under(root):
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def upload_photo(client, users, report, upload):
    key, _token = do_issue_token(users["desa-3513012001"])
    return client.post(
        f"/api/v1/reports/{report.pk}/photos",
        {"photo": upload},
        headers={"Authorization": f"Bearer {key}"},
    )


def test_a_photo_named_like_a_path_is_stored_under_a_random_name(
    client, users, new_report, settings, tmp_path, django_capture_on_commit_callbacks
):
    report = new_report()
    upload = SimpleUploadedFile("../../etc/passwd", png_bytes(), content_type="text/plain")
    with django_capture_on_commit_callbacks(execute=True):  # the re-encoding task
        response = upload_photo(client, users, report, upload)
    assert response.status_code == 201
    photo = Photo.objects.get(report=report)
    assert photo.status == "ready"  # re-encoded (the task queue runs at once in tests)
    media = settings.MEDIA_ROOT
    stored = files_under(media)
    assert stored and all(media in p.parents for p in stored)
    assert not any("passwd" in str(p) or ".." in str(p) for p in stored)
    assert not files_under(tmp_path / "etc")
    assert photo.image.name.startswith("photos/") and photo.image.name.endswith(".jpg")


def test_a_png_renamed_jpg_is_read_as_png_and_re_encoded_as_jpeg(
    client, users, new_report, django_capture_on_commit_callbacks
):
    report = new_report()
    upload = SimpleUploadedFile("foto.jpg", png_bytes(), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        assert upload_photo(client, users, report, upload).status_code == 201
    photo = Photo.objects.get(report=report)
    with photo.image.open("rb") as fh, Image.open(fh) as image:
        assert image.format == "JPEG" and image.size == (64, 48)


def test_an_oversized_photo_is_413_and_nothing_is_stored(client, users, new_report, settings):
    settings.PHOTO_MAX_BYTES = 1000
    report = new_report()
    upload = SimpleUploadedFile("big.png", png_bytes((400, 400)) + b"\0" * 2000)
    response = upload_photo(client, users, report, upload)
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "too_large" and body["detail"]
    assert not Photo.objects.filter(report=report).exists()
    assert files_under(settings.MEDIA_ROOT) == []


def test_an_attachment_named_like_a_path_keeps_only_its_base_name(login, new_problem, settings):
    problem = new_problem()
    client = login("desa-3513012001")
    response = client.post(
        f"/masalah/{problem.pk}/lampiran/",
        {"file": SimpleUploadedFile("../../../etc/cron.d/x.pdf", PDF)},
    )
    assert response.status_code == 302
    item = Attachment.objects.get(problem=problem)
    assert item.name == "x.pdf"
    assert item.file.name.startswith("attachments/") and "x.pdf" not in item.file.name
    assert all(settings.MEDIA_ROOT in p.parents for p in files_under(settings.MEDIA_ROOT))
    download = client.get(f"/lampiran/{item.pk}/")
    assert 'filename="x.pdf"' in download["Content-Disposition"]


def test_an_oversized_attachment_is_refused_with_a_message_and_nothing_stored(
    login, new_problem, settings
):
    settings.ATTACHMENT_MAX_BYTES = 1000
    problem = new_problem()
    response = login("desa-3513012001").post(
        f"/masalah/{problem.pk}/lampiran/",
        {"file": SimpleUploadedFile("besar.pdf", PDF + b"0" * 2000)},
    )
    assert response.status_code in (400, 413)
    assert response.context["error"]
    assert not Attachment.objects.filter(problem=problem).exists()
    assert files_under(settings.MEDIA_ROOT) == []
