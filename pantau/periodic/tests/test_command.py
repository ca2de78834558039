import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from pantau.periodic.tests.conftest import OVERDUE, RESOLVED


def test_it_writes_the_kabupaten_report(inventory, tmp_path, today):
    out = io.StringIO()
    target = tmp_path / "laporan.pdf"
    call_command(
        "report", "--region", "35.13", "--from", str(today), "--to", str(today),
        "--format", "pdf", "--output", str(target), stdout=out,
    )  # fmt: skip
    data = target.read_bytes()
    assert data.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert RESOLVED in " ".join(text.split()) and OVERDUE in " ".join(text.split())
    assert len(out.getvalue().splitlines()) >= 3  # progress lines


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_it_writes_the_office_formats(inventory, tmp_path, today, fmt):
    target = tmp_path / f"laporan.{fmt}"
    call_command(
        "report", "--cluster", "pemkesra", "--from", str(today), "--format", fmt,
        "--output", str(target), verbosity=0,
    )  # fmt: skip
    assert zipfile.is_zipfile(target)


def test_it_names_bad_input(tmp_path, db):
    with pytest.raises(CommandError, match="2024-13-01"):
        call_command("report", "--region", "35.13", "--from", "2024-13-01", "--output", "x")
    with pytest.raises(CommandError, match="99.99"):
        call_command("report", "--region", "99.99", "--from", "2024-11-01", "--output", "x")
    with pytest.raises(CommandError):
        call_command(
            "report", "--region", "35.13", "--from", "2024-11-02", "--to", "2024-11-01",
            "--output", str(tmp_path / "x.pdf"),
        )  # fmt: skip
    assert not (tmp_path / "x.pdf").exists()
