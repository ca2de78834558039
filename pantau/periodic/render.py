"""Rendering a report's content into its files (the work of the task queue and the CLI)."""

import hashlib
from collections.abc import Callable

from pantau.periodic import docx, pdf, xlsx
from pantau.periodic.models import Format

RENDERERS: dict[str, Callable[[dict], bytes]] = {
    Format.PDF: pdf.render,
    Format.DOCX: docx.render,
    Format.XLSX: xlsx.render,
}
EXTENSIONS = {Format.PDF: "pdf", Format.DOCX: "docx", Format.XLSX: "xlsx"}


def render(content: dict, fmt: str) -> bytes:
    return RENDERERS[fmt](content)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_of_file(field_file) -> str:
    """The sha256 of a stored file, read in chunks."""
    digest = hashlib.sha256()
    with field_file.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()
