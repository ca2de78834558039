"""Photos from the field: check what a file really is, and re-encode it without its metadata."""

import datetime as dt
import io
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
    return {
        "data": out.getvalue(),
        "width": img.width,
        "height": img.height,
        "lat": location[0] if location else None,
        "lon": location[1] if location else None,
        "taken_at": taken_at,
    }
