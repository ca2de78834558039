"""Photos that would stall the workers or bend a report are refused where they arrive: a
picture over the pixel limit (even one Pillow would only warn about), a fourth photo on a
report, a photo added by someone other than the report's author."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from pantau.api.tests.conftest import error_shape
from pantau.lib.images import MAX_PIXELS
from pantau.monitoring.models import MAX_PHOTOS
from pantau.odk.xforms import PHOTO_FIELDS

pytestmark = [pytest.mark.django_db, pytest.mark.hostile]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_declaring(width: int, height: int) -> bytes:
    """A small grey PNG whose header declares width x height (the rows are compressed zeros,
    a few hundred kB for a hundred megapixels)."""
    rows = zlib.compressobj(9)
    row = b"\x00" * (width + 1)
    body = b"".join(rows.compress(row) for _ in range(height)) + rows.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", body)
        + _chunk(b"IEND", b"")
    )


def small_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def upload(caller, report, data: bytes, name="foto.png"):
    photo = SimpleUploadedFile(name, data, content_type="image/png")
    return caller.upload(f"/reports/{report.pk}/photos", {"photo": photo})


def test_a_photo_between_the_limit_and_twice_the_limit_is_refused(api_as, new_report):
    assert 10900 * 10900 < 2 * MAX_PIXELS  # Pillow itself would only warn
    report = new_report()
    response = upload(api_as("desa-3513012001"), report, png_declaring(10900, 10900))
    body = error_shape(response, 400, "too_many_pixels")
    assert "10900×10900" in body["detail"] and set(body["fields"]) == {"photo"}
    assert not report.photos.exists()


def test_a_photo_at_the_limit_is_accepted(api_as, new_report):
    report = new_report()
    caller = api_as("desa-3513012001")
    # not decoded: the task would re-encode it, which this test does not need to pay for
    response = upload(caller, report, png_declaring(7500, 8000))  # 60.0 MP
    assert response.status_code == 201, response.content


def test_a_report_takes_three_photos_on_every_channel(api_as, new_report):
    assert MAX_PHOTOS == len(PHOTO_FIELDS) == 3  # the ODK form's photo fields
    report = new_report()
    caller = api_as("desa-3513012001")
    for _ in range(MAX_PHOTOS):
        assert upload(caller, report, small_png()).status_code == 201
    body = error_shape(upload(caller, report, small_png()), 400, "too_many_photos")
    assert set(body["fields"]) == {"photo"} and "3" in body["detail"]
    assert report.photos.count() == MAX_PHOTOS


def test_only_the_author_adds_photos(api_as, new_report):
    report = new_report()  # by desa-3513012001, in Sukapura
    body = error_shape(upload(api_as("camat-sukapura"), report, small_png()), 403, "not_the_author")
    assert body["detail"]
    assert not report.photos.exists()
    error_shape(upload(api_as("camat-tongas"), report, small_png()), 404, "not_found")
