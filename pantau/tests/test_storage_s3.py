"""Uploads in an S3-compatible bucket (PANTAU_S3_BUCKET): photos, attachments and periodic report
files are written to and read from the bucket through Django's storage API, never the local disk,
and are still served only through the access-checked views.

A real S3 server (moto's, on 127.0.0.1) and boto3 talking HTTP to it. In this process: STORAGES
is overridden with the entry settings.py builds from the PANTAU_S3_* variables
(`pantau.settings.s3_storage`); Django re-creates the storage objects on that change. The
multi-process run (servers and a worker started with PANTAU_S3_*) is in test_production.py."""

import io
import json
import subprocess
import tarfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from pantau import settings as pantau_settings
from pantau.api.actions import do_issue_token
from pantau.conftest import pantau_script
from pantau.lib.backup import media_elsewhere
from pantau.lib.clock import local_date
from pantau.monitoring.models import Photo
from pantau.periodic.actions import do_request_report
from pantau.problems.models import Attachment
from pantau.regions.models import Region
from pantau.tests.helpers import keys_in, object_bytes, s3_bucket, s3_server  # noqa: F401
from pantau.web.tests.helpers import png_bytes

pytestmark = pytest.mark.django_db
TONGAS = "35.13.23"


@pytest.fixture
def bucket(s3_bucket, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = tmp_path / "media"  # must stay empty
    settings.STORAGES = {
        **settings.STORAGES,
        "default": pantau_settings.s3_storage(s3_bucket["env"]),
    }
    return s3_bucket


@pytest.fixture
def login(client):
    """Log in through the login page (the demo password), as a user does."""

    def _login(username):
        client.logout()
        response = client.post("/masuk/", {"username": username, "password": "pantau-demo"})
        assert response.status_code == 302, response.content[:300]
        return client

    return _login


def files_on_disk(settings) -> list:
    return [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]


def big_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (2400, 1200), (200, 40, 40)).save(out, "PNG")
    return out.getvalue()


def test_it_uses_the_bucket_when_configured(bucket):
    assert media_elsewhere() == f"s3://{bucket['name']}"


def test_a_photo_sent_through_the_api_is_re_encoded_into_the_bucket(
    bucket, settings, client, users, new_report, login, django_capture_on_commit_callbacks
):
    report = new_report()
    key, _token = do_issue_token(users["desa-3513012001"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/reports/{report.pk}/photos",
            {"photo": SimpleUploadedFile("IMG_1.png", big_photo())},
            headers={"Authorization": f"Bearer {key}"},
        )
    assert response.status_code == 201, response.content
    photo = Photo.objects.get(pk=response.json()["id"])
    assert photo.status == Photo.Status.READY and not photo.original
    assert keys_in(bucket) == [photo.image.name]  # the upload itself was deleted
    stored = object_bytes(bucket, photo.image.name)
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and image.size == (1600, 800)
    assert files_on_disk(settings) == []

    got = login("desa-3513012001").get(f"/foto/{photo.pk}/")
    assert got.status_code == 200 and got["Content-Type"] == "image/jpeg"
    assert b"".join(got.streaming_content) == stored
    assert login("camat-tongas").get(f"/foto/{photo.pk}/").status_code == 404  # an outsider


def test_a_problem_attachment_is_kept_in_the_bucket(bucket, settings, new_problem, login):
    problem = new_problem()
    data = png_bytes()
    response = login("desa-3513012001").post(
        f"/masalah/{problem.pk}/lampiran/", {"file": SimpleUploadedFile("bukti.png", data)}
    )
    assert response.status_code in (200, 302), response.content
    attachment = Attachment.objects.get(problem=problem)
    assert keys_in(bucket) == [attachment.file.name]
    assert object_bytes(bucket, attachment.file.name) == data
    assert files_on_disk(settings) == []

    got = login("desa-3513012001").get(f"/lampiran/{attachment.pk}/")
    assert got.status_code == 200 and b"".join(got.streaming_content) == data
    assert login("camat-tongas").get(f"/lampiran/{attachment.pk}/").status_code == 404


def test_periodic_report_files_are_written_to_and_checked_from_the_bucket(
    bucket, settings, users, login, django_capture_on_commit_callbacks
):
    day = local_date(timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        report = do_request_report(
            acting_user=users["camat-tongas"],
            scope="kecamatan",
            region=Region.objects.get(code=TONGAS),
            cluster=None,
            start=day,
            end=day,
        )
    files = {f.format: f for f in report.files.all()}
    assert set(files) == {"pdf", "docx", "xlsx"}
    assert keys_in(bucket) == sorted(f.file.name for f in files.values())
    assert files_on_disk(settings) == []

    got = login("camat-tongas").get(f"/laporan-berkala/{report.pk}/berkas.pdf")
    assert got.status_code == 200
    body = b"".join(got.streaming_content)
    assert body.startswith(b"%PDF") and got["X-Content-SHA256"] == files["pdf"].sha256
    assert object_bytes(bucket, files["pdf"].file.name) == body
    outsider = login("camat-paiton").get(f"/laporan-berkala/{report.pk}/berkas.pdf")
    assert outsider.status_code == 404


def test_backup_leaves_the_bucket_to_the_object_store_and_says_so(s3_bucket, scratch_env):  # noqa: F811
    on_s3 = {**scratch_env, **s3_bucket["env"]}
    pantau(scratch_env, "migrate", "-v0")
    pantau(on_s3, "shell", "--no-imports", "-c", put_file("photos/x.jpg"))
    assert keys_in(s3_bucket) == ["photos/x.jpg"]
    archive = Path(scratch_env["PANTAU_DATA_DIR"]) / "b.tar.gz"
    result = pantau(on_s3, "backup", "--output", str(archive))
    assert f"s3://{s3_bucket['name']}" in result.stderr  # said, not silently left out
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert not [n for n in names if n.startswith("media/")]
    assert manifest["files"] == 0 and manifest["media_elsewhere"] == f"s3://{s3_bucket['name']}"


def test_a_backup_with_files_on_disk_restores_them_into_the_bucket(s3_bucket, scratch_env):  # noqa: F811
    """Moving from a disk (or NFS) to a bucket: the archive's files go into the bucket."""
    pantau(scratch_env, "migrate", "-v0")
    pantau(scratch_env, "shell", "--no-imports", "-c", put_file("photos/disk.jpg"))
    archive = Path(scratch_env["PANTAU_DATA_DIR"]) / "disk.tar.gz"
    pantau(scratch_env, "backup", "--output", str(archive))
    on_s3 = {**scratch_env, **s3_bucket["env"]}
    result = pantau(on_s3, "restore", str(archive), "--force")
    assert keys_in(s3_bucket) == ["photos/disk.jpg"]
    assert object_bytes(s3_bucket, "photos/disk.jpg") == b"photos/disk.jpg"
    assert result.returncode == 0


def pantau(env, *args):
    result = subprocess.run([pantau_script(), *args], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def put_file(name: str) -> str:
    """Code for `pantau shell -c`: a file saved through the configured storage."""
    return (
        "from django.core.files.base import ContentFile\n"
        "from django.core.files.storage import default_storage\n"
        f"default_storage.save({name!r}, ContentFile({name.encode()!r}))\n"
    )
