"""Helpers of the web tests (fixtures are in conftest.py)."""

import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from pantau.conftest import NGADISARI, VOTING_ANSWERS, VOTING_DAY  # noqa: F401
from pantau.instruction.models import Checklist, Stage

SUKAPURA = "35.13.01"
TONGAS = "35.13.23"


def stage(code):
    return Stage.objects.get(code=code, operation__status="active")


def checklist(code):
    return Checklist.objects.get(code=code, operation__status="active")


def png_bytes(size=(8, 8)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def png_upload(name="foto.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]"
    b"/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def selected_option(html: str, name: str) -> str | None:
    """The value of the selected option of the select `name`, from the page."""
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    if not select:
        return None
    match = re.search(r'<option value="([^"]*)"[^>]*\sselected', select.group(1))
    return match.group(1) if match else None


def ids(html: str, attr: str = "data-id") -> set[int]:
    return {int(v) for v in re.findall(rf'{attr}="(\d+)"', html)}
