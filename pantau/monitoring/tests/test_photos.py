import datetime as dt
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from pantau.lib.errors import Invalid, NotFound
from pantau.monitoring.actions import do_add_photo, do_submit_report
from pantau.monitoring.models import Photo
from pantau.regions.models import Region

pytestmark = pytest.mark.django_db


def jpeg_with_gps(lat=7.9105, lon=112.952, size=(3000, 2000), fmt="JPEG") -> bytes:
    img = Image.new("RGB", size, (40, 120, 60))
    exif = Image.Exif()
    gps = {
        1: "S",
        2: (7.0, 54.0, (lat - 7 - 54 / 60) * 3600),
        3: "E",
        4: (112.0, 57.0, (lon - 112 - 57 / 60) * 3600),
    }
    exif[0x8825] = gps
    exif[0x0110] = "Phone X"  # camera model: must not survive re-encoding
    out = io.BytesIO()
    img.save(out, fmt, exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture
def report(users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report, _ = do_submit_report(
        acting_user=users["desa-3513012001"],
        client_id=uuid.uuid4(),
        region=Region.objects.get(code="35.13.01.2001"),
        observed_at=dt.datetime(2024, 11, 26, 10, 0),
        situation="waspada",
        answers={"logistik_tiba": False, "kondisi_logistik": "kurang", "tps_siap": True},
    )
    return report


def test_a_photo_is_re_encoded_off_the_request_and_keeps_its_exif_location(
    report, users, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("IMG_0001.jpg", jpeg_with_gps(), content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        photo = do_add_photo(report, acting_user=users["desa-3513012001"], upload=upload)
        assert photo.status == "pending"  # nothing slow happened yet
    assert len(callbacks) == 1
    photo.refresh_from_db()
    assert photo.status == "ready"
    assert (photo.lat, photo.lon) == pytest.approx((-7.9105, 112.952), abs=1e-4)
    assert max(photo.width, photo.height) == 1600
    assert not photo.original  # the upload itself is gone
    assert "IMG_0001" not in photo.image.name and photo.image.name.endswith(".jpg")
    with Image.open(photo.image.path) as stored:
        assert stored.format == "JPEG"
        assert not stored.getexif()  # metadata dropped


def test_png_and_webp_are_accepted(report, users, django_capture_on_commit_callbacks):
    for fmt in ("PNG", "WEBP"):
        data = jpeg_with_gps(size=(200, 100), fmt=fmt)
        with django_capture_on_commit_callbacks(execute=True):
            photo = do_add_photo(
                report,
                acting_user=users["desa-3513012001"],
                upload=SimpleUploadedFile(f"x.{fmt.lower()}", data),
            )
        photo.refresh_from_db()
        assert photo.status == "ready" and (photo.width, photo.height) == (200, 100)


@pytest.mark.parametrize(
    "name,data",
    [
        ("laporan.pdf", b"%PDF-1.4\n1 0 obj\n"),
        ("foto.jpg", b"<?php system($_GET['x']); ?>"),  # a name that lies
        ("foto.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
    ],
)
def test_anything_but_a_photo_is_refused_with_a_clear_message(report, users, name, data):
    with pytest.raises(Invalid) as info:
        do_add_photo(
            report,
            acting_user=users["desa-3513012001"],
            upload=SimpleUploadedFile(name, data, content_type="image/jpeg"),
        )
    assert info.value.code == "unsupported_type" and "photo" in info.value.fields
    assert not Photo.objects.exists()


def test_a_photo_over_the_size_limit_is_refused(report, users, settings):
    settings.PHOTO_MAX_BYTES = 1000
    with pytest.raises(Invalid) as info:
        do_add_photo(
            report,
            acting_user=users["desa-3513012001"],
            upload=SimpleUploadedFile("a.jpg", jpeg_with_gps(size=(400, 400))),
        )
    assert info.value.code == "too_large"


def test_an_outsider_cannot_add_photos(report, users):
    with pytest.raises(NotFound):
        do_add_photo(
            report,
            acting_user=users["camat-paiton"],
            upload=SimpleUploadedFile("a.jpg", jpeg_with_gps(size=(10, 10))),
        )
