"""Photos from the field: check what a file really is, and keep it without its metadata: as it
was sent where it can be (a JPEG the phone already made small and upright), re-encoded if not."""

import datetime as dt
import io
import re
import threading

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

ACCEPTED = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
MAX_SIDE = 1600
MAX_PIXELS = 60_000_000  # a bigger "photo" is a decompression bomb (a 50 MP phone is below)
# Pillow only warns between MAX_IMAGE_PIXELS and twice that and raises above: the limit itself
# is checked here, from the header, before anything is decoded.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
# One photo decoded at a time in a process: a task consumer's threads would otherwise each hold
# a full-size decode (up to MAX_PIXELS x 4 bytes) at once.
_DECODING = threading.BoundedSemaphore(1)


class ImageRejected(ValueError):
    pass


class TooManyPixels(ImageRejected):
    """A picture whose header declares more than MAX_PIXELS: refused before it is decoded."""

    def __init__(self, width: int, height: int):
        super().__init__(f"{width}x{height} pixels is more than {MAX_PIXELS}")
        self.width, self.height = width, height


def _check_pixels(img: Image.Image) -> None:
    width, height = img.size
    if width * height > MAX_PIXELS:
        raise TooManyPixels(width, height)


def sniff(fileobj) -> str:
    """The image format by content (not by name or declared type); raises ImageRejected."""
    try:
        fileobj.seek(0)
        with Image.open(fileobj) as img:
            fmt = img.format
            _check_pixels(img)
            img.verify()
    except TooManyPixels:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        Image.DecompressionBombError,
        ValueError,
    ) as exc:
        raise ImageRejected(str(exc)) from exc
    finally:
        fileobj.seek(0)
    if fmt not in ACCEPTED:
        raise ImageRejected(fmt or "unknown")
    return fmt


def _ratio(value) -> float:
    return float(value[0]) / float(value[1]) if isinstance(value, tuple) else float(value)


def _gps(exif: Image.Exif) -> tuple[float, float] | None:
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    try:
        lat = sum(_ratio(v) / 60**i for i, v in enumerate(gps[2]))
        lon = sum(_ratio(v) / 60**i for i, v in enumerate(gps[4]))
    except (KeyError, TypeError, ZeroDivisionError, IndexError):
        return None
    if gps.get(1) == "S":
        lat = -lat
    if gps.get(3) == "W":
        lon = -lon
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return round(lat, 6), round(lon, 6)


def _taken_at(exif: Image.Exif) -> dt.datetime | None:
    raw = exif.get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.DateTimeOriginal) or exif.get(
        ExifTags.Base.DateTime
    )
    try:
        return dt.datetime.strptime(str(raw), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None


# The segments of a JPEG's header that describe the picture rather than encode it: APP1 to APP15
# except APP14 (EXIF and XMP in APP1, the ICC profile in APP2, the makers' own) and comments.
# APP0 (JFIF) and APP14 (Adobe: how the colours are transformed) are needed to decode it.
_JFIF, _ADOBE, _COMMENT, _START_OF_SCAN, _END_OF_IMAGE = 0xE0, 0xEE, 0xFE, 0xDA, b"\xff\xd9"
_FRAME_HEADERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
# In the entropy-coded data a 0xFF byte is followed by 0x00 or a restart marker; any of these
# after the first scan is a metadata segment there (legal between a progressive JPEG's scans).
_METADATA_MARKER = re.compile(rb"\xff[\xe1-\xed\xef\xfe]")


def _is_metadata(marker: int) -> bool:
    return marker == _COMMENT or (_JFIF < marker <= 0xEF and marker != _ADOBE)


def clean_copy(fileobj) -> dict | None:
    """A JPEG that needs no re-encoding, as it was sent less its metadata, or None.

    It needs none when it is at most MAX_SIDE on both sides, upright (no EXIF rotation), RGB or
    grey, and whole (ends where a JPEG ends): what ODK Collect (which scales photos down to the
    form's max-pixels) and the web form's outbox send. Its metadata segments (EXIF with the
    location and camera, XMP, ICC profile, comments) are dropped by copying the other segments
    byte for byte; no pixel is decoded or changed. Returns what `reencode` returns.
    """
    fileobj.seek(0)
    data = fileobj.read()
    fileobj.seek(0)
    if data[:2] != b"\xff\xd8" or not data.endswith(_END_OF_IMAGE):
        return None
    kept, pos, width, height = [data[:2]], 2, 0, 0
    while True:
        if data[pos : pos + 1] != b"\xff" or pos + 4 > len(data):
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # a fill byte before a marker
            pos += 1
            continue
        end = pos + 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
        if end <= pos + 3 or end > len(data):
            return None
        if marker == _START_OF_SCAN:
            break
        if marker in _FRAME_HEADERS and end >= pos + 9:
            height = int.from_bytes(data[pos + 5 : pos + 7], "big")
            width = int.from_bytes(data[pos + 7 : pos + 9], "big")
        if not _is_metadata(marker):
            kept.append(data[pos:end])
        pos = end
    if not (0 < width <= MAX_SIDE and 0 < height <= MAX_SIDE):
        return None
    if _METADATA_MARKER.search(data, pos):
        return None
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format != "JPEG" or img.mode not in ("RGB", "L") or img.size != (width, height):
                return None
            exif = img.getexif()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    if exif.get(ExifTags.Base.Orientation, 1) != 1:
        return None
    kept.append(data[pos:])
    return _picture(b"".join(kept), width, height, _gps(exif), _taken_at(exif))


def _picture(data: bytes, width: int, height: int, location, taken_at) -> dict:
    """What `clean_copy` and `reencode` return."""
    return {
        "data": data,
        "width": width,
        "height": height,
        "lat": location[0] if location else None,
        "lon": location[1] if location else None,
        "taken_at": taken_at,
    }


def reencode(fileobj) -> dict:
    """Decode, shrink to MAX_SIDE, orient and encode as JPEG with no metadata.

    Returns {"data": bytes, "width", "height", "lat", "lon", "taken_at" (naive, camera time)}.
    Memory: one full-size decode at most (a JPEG is decoded at a reduced size already), shrunk
    before anything is copied; one decode at a time per process.
    """
    fileobj.seek(0)
    try:
        with _DECODING, Image.open(fileobj) as img:
            _check_pixels(img)
            exif = img.getexif()
            location = _gps(exif)
            taken_at = _taken_at(exif)
            orientation = exif.get(ExifTags.Base.Orientation)
            img.thumbnail((MAX_SIDE, MAX_SIDE))  # draft decoding for JPEG, then reduce
            if orientation:
                img.getexif()[ExifTags.Base.Orientation] = orientation
                img = ImageOps.exif_transpose(img)
            img = img.convert("RGB")
            out = io.BytesIO()
            img.save(out, "JPEG", quality=80, optimize=True)
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        Image.DecompressionBombError,
        ValueError,
    ) as exc:
        raise ImageRejected(str(exc)) from exc
    return _picture(out.getvalue(), img.width, img.height, location, taken_at)
