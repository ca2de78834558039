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


def test_the_readmes_report_commands_give_letters_full_of_the_demos_story(db, tmp_path):
    """Every `pantau report` line of the README, run as written (the demo's data): each
    document holds problems with their suggestions and solutions, and compliance figures."""
    import re
    import shlex
    from pathlib import Path

    from docx import Document

    from pantau.demo.examples import PROBLEMS

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    lines = re.findall(r"^\s+\.venv/bin/pantau (report .+)$", readme, flags=re.M)
    assert len(lines) >= 3
    for line in lines:
        args = shlex.split(line)
        out = tmp_path / args[args.index("--output") + 1]
        args[args.index("--output") + 1] = str(out)
        call_command(*args, verbosity=0)
        if out.suffix == ".docx":
            doc = Document(str(out))
            cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
            text = " ".join(p.text for p in doc.paragraphs) + " " + " ".join(cells)
        else:
            text = " ".join(p.extract_text() for p in PdfReader(str(out)).pages)
        flat = " ".join(text.split())
        assert "IV. PERMASALAHAN, SARAN DAN SOLUSI" in flat, line
        assert "Tidak ada masalah" not in flat, line
        assert any(" ".join(p[6].split()) in flat for p in PROBLEMS), line  # a suggestion
        assert "Dalam proses" in flat or any(  # a solution, or the latest follow-up
            s[2]["solution"] in flat for p in PROBLEMS for s in p[7] if s[1] == "resolve"
        ), line
        compliance = re.search(
            r"Dari (\d+) laporan wajib menurut jadwal pelaporan, (\d+) laporan", flat
        )
        assert compliance and int(compliance[1]) > 0 and int(compliance[2]) > 0, line
        assert "NIP. 1" in flat, line  # a complete signature block
        if "--date" in args:
            assert "29 November 2024" in flat
