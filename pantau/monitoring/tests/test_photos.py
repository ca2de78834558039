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


def with_comment(data: bytes, text: bytes) -> bytes:
    """`data` with a JPEG comment segment after its start: metadata, as a camera writes."""
    return data[:2] + b"\xff\xfe" + (len(text) + 2).to_bytes(2, "big") + text + data[2:]


def test_a_small_upright_jpeg_is_kept_as_sent_less_its_metadata_at_once(
    report, users, django_capture_on_commit_callbacks
):
    """What ODK Collect sends (scaled to the form's 1600 px): ready in the same request, its
    pixels the phone's own, its EXIF location read and the EXIF itself, the camera and the
    comment gone; nothing queued for the task consumer."""
    sent = with_comment(jpeg_with_gps(size=(1600, 1200)), b"Phone X owner Budi")
    upload = SimpleUploadedFile("IMG_0002.jpg", sent, content_type="image/jpeg")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        photo = do_add_photo(report, acting_user=users["desa-3513012001"], upload=upload)
    assert not callbacks
    photo.refresh_from_db()
    assert (photo.status, photo.width, photo.height) == ("ready", 1600, 1200)
    assert (photo.lat, photo.lon) == pytest.approx((-7.9105, 112.952), abs=1e-4)
    assert not photo.original and photo.image.name.endswith(".jpg")
    kept = photo.image.read()
    assert b"Phone X" not in kept and b"Exif" not in kept
    with Image.open(io.BytesIO(kept)) as stored, Image.open(io.BytesIO(sent)) as original:
        assert not stored.getexif()
        assert stored.tobytes() == original.tobytes()  # not re-encoded: the same pixels


@pytest.mark.parametrize(
    "why,data",
    [
        ("larger than 1600 px", jpeg_with_gps(size=(2000, 1000))),
        ("not whole", jpeg_with_gps(size=(400, 300))[:-40]),
        ("a PNG", jpeg_with_gps(size=(400, 300), fmt="PNG")),
    ],
)
def test_a_photo_that_cannot_be_kept_as_sent_is_re_encoded_later(
    report, users, django_capture_on_commit_callbacks, why, data
):
    upload = SimpleUploadedFile("a.jpg", data)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        photo = do_add_photo(report, acting_user=users["desa-3513012001"], upload=upload)
    assert photo.status == "pending" and photo.original and len(callbacks) == 1, why


def test_metadata_between_the_scans_of_a_progressive_jpeg_is_not_kept():
    from pantau.lib.images import clean_copy

    img = Image.new("RGB", (300, 200), (40, 120, 60))
    out = io.BytesIO()
    img.save(out, "JPEG", progressive=True)
    data = out.getvalue()
    assert clean_copy(io.BytesIO(data))["data"] == data  # nothing to drop: byte for byte
    second_scan = data.index(b"\xff\xda", data.index(b"\xff\xda") + 2)
    hidden = data[:second_scan] + b"\xff\xfe\x00\x06Budi" + data[second_scan:]
    assert clean_copy(io.BytesIO(hidden)) is None  # re-encoded instead
