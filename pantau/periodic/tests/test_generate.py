"""The kabupaten report in all three formats, read back: the figures and the problems of the
fixture are in the PDF's text, the DOCX's paragraphs and tables, and the XLSX's rows."""

import io
import time

from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from pantau.periodic import content
from pantau.periodic.models import ReportStatus
from pantau.periodic.tests.conftest import ESCALATED, OVERDUE, RESOLVED
from pantau.problems.models import OPEN

SUGGESTIONS = [
    "Kirim kendaraan cadangan dari kecamatan",
    "Tertibkan bersama Panwascam",
    "Koordinasi dengan Polsek Paiton",
]
SOLUTION = "Logistik diantar dengan mobil Satpol PP"


def _files(report):
    return {f.format: f.file.open("rb").read() for f in report.files.all()}


def _squash(text: str) -> str:
    return " ".join(text.split())


def test_it_generates_the_kabupaten_report_in_three_formats(inventory, generated):
    began = time.monotonic()
    report = generated("bupati")
    elapsed = time.monotonic() - began
    assert report.status == ReportStatus.DRAFT, report.error
    assert elapsed < 60
    files = _files(report)
    assert set(files) == {"pdf", "docx", "xlsx"}
    for item in report.files.all():
        assert len(item.sha256) == 64 and item.size == len(files[item.format])
        assert not item.frozen

    data = content.build(content.spec_of(report))
    mine = [p for p in data["problems"] if p["title"] in (RESOLVED, ESCALATED, OVERDUE)]
    assert len(mine) == 3
    assert RESOLVED in [p["title"] for p in data["resolved"]]
    late = {p["title"] for p in data["overdue"]}
    assert {ESCALATED, OVERDUE} <= late and RESOLVED not in late
    # The per-kecamatan figures agree with the rows (the demo data has a few problems too).
    for name in ("Tongas", "Paiton"):
        row = next(k for k in data["kecamatan"] if k["name"] == name)
        rows = [p for p in data["problems"] if p["kecamatan"] == name]
        assert row["open"] == sum(p["status_code"] in OPEN for p in rows) >= 1
        assert row["overdue"] == sum(p["overdue"] for p in rows)
    tongas = next(k for k in data["kecamatan"] if k["name"] == "Tongas")
    paiton = next(k for k in data["kecamatan"] if k["name"] == "Paiton")
    assert tongas["resolved"] >= 1 and paiton["overdue"] >= 1
    assert data["totals"]["resolved"] >= 1 and data["totals"]["overdue"] >= 1

    # PDF: the letterhead, the instruction's date, every problem, suggestion and solution.
    pdf = PdfReader(io.BytesIO(files["pdf"]))
    text = _squash("\n".join(page.extract_text() for page in pdf.pages))
    assert files["pdf"].startswith(b"%PDF")
    assert "PEMERINTAH KABUPATEN PROBOLINGGO" in text
    assert "20 November 2024" in text
    assert f"Halaman 1 dari {len(pdf.pages)}" in text
    for needle in [RESOLVED, ESCALATED, OVERDUE, SOLUTION, *SUGGESTIONS]:
        assert needle in text, needle
    assert "Tongas" in text and "Paiton" in text
    assert pdf.pages[0].mediabox.width == 595.28 or round(float(pdf.pages[0].mediabox.width)) == 595

    # DOCX: paragraphs and table cells.
    doc = Document(io.BytesIO(files["docx"]))
    paragraphs = "\n".join(p.text for p in doc.paragraphs)
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    assert "PEMERINTAH KABUPATEN PROBOLINGGO" in paragraphs
    assert "20 November 2024" in paragraphs
    for needle in [RESOLVED, ESCALATED, OVERDUE, SOLUTION, *SUGGESTIONS]:
        assert needle in cells, needle
    # the problem table: region, problem (title, category, severity, status), suggestion
    row = next(
        r
        for t in doc.tables
        if len(t.columns) == 5
        for r in t.rows
        if r.cells[2].text.startswith(OVERDUE + "\n")
    )
    assert [row.cells[1].text.split("\n")[0], row.cells[3].text] == ["Paiton", SUGGESTIONS[2]]

    # XLSX: every problem row, the kecamatan figures and the totals.
    wb = load_workbook(io.BytesIO(files["xlsx"]), read_only=True)
    rows = list(wb.worksheets[2].iter_rows(values_only=True))
    by_title = {r[3]: r for r in rows[1:]}
    assert len(rows) - 1 == len(data["problems"])
    assert by_title[RESOLVED][1] == "Tongas" and by_title[RESOLVED][7] == SOLUTION
    assert by_title[OVERDUE][6] == SUGGESTIONS[2] and by_title[OVERDUE][13] == 1
    kecamatan = {r[1]: r for r in wb.worksheets[1].iter_rows(values_only=True)}
    assert kecamatan["Tongas"][3:6] == (tongas["open"], tongas["overdue"], tongas["resolved"])
    assert kecamatan["Paiton"][3:5] == (paiton["open"], paiton["overdue"])
    summary = {r[0]: r[1] for r in wb.worksheets[0].iter_rows(values_only=True) if len(r) > 1}
    assert data["totals"]["problems"] in summary.values()
    assert "20 November 2024" in summary.values()
    compliance = list(wb.worksheets[3].iter_rows(values_only=True))
    assert compliance[0][1] == data["compliance"]["expected"]
