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


# The peak resident memory of a fresh process (VmHWM: ru_maxrss would carry the parent's over).
REENCODE_PEAK = """
import sys

def peak():
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024

from pantau.lib.images import reencode
before = peak()
with open(sys.argv[1], "rb") as fh:
    reencode(fh)
print(peak() - before)
"""


def test_re_encoding_a_big_photo_holds_one_decoded_copy_at_most(tmp_path):
    """The task consumer's memory per photo: one full-size decode (3 bytes a pixel for RGB) and
    its resampling, not the copies that orienting and converting at full size took."""
    import subprocess
    import sys

    width, height = 6000, 5000  # 30 MP
    path = tmp_path / "big.png"
    Image.new("RGB", (width, height), (40, 120, 60)).save(path, compress_level=1)
    out = subprocess.run(
        [sys.executable, "-c", REENCODE_PEAK, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    peak = int(out.stdout.strip())
    assert peak < width * height * 3 * 2, peak  # before: four full-size copies


def test_a_turned_photo_is_still_turned_upright(report, users, django_capture_on_commit_callbacks):
    img = Image.new("RGB", (400, 200), (40, 120, 60))
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was turned: rotate 90 degrees to show it
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes())
    with django_capture_on_commit_callbacks(execute=True):
        photo = do_add_photo(
            report,
            acting_user=users["desa-3513012001"],
            upload=SimpleUploadedFile("turned.jpg", out.getvalue()),
        )
    photo.refresh_from_db()
    assert (photo.width, photo.height) == (200, 400)
