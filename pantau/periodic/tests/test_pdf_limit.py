"""The PDF to the regent lists a bounded number of problems, the most severe first, and says how
many more there are; the XLSX and the DOCX list every one of them."""

import datetime as dt
import io
import uuid

from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from pantau.periodic import content, render
from pantau.periodic.actions import resolve_scope
from pantau.periodic.tests.conftest import KABUPATEN, PAITON, TONGAS
from pantau.problems.models import Problem
from pantau.regions.models import Region


def _squash(text: str) -> str:
    return "".join(text.split())


def _clones(problem, prefix: str, count: int, severity: str, region: Region, start) -> list[str]:
    titles = [f"Temuan {prefix}{i:03d}" for i in range(count)]
    clones = []
    for i, title in enumerate(titles):
        clone = Problem.objects.get(pk=problem.pk)
        clone.pk, clone.client_id = None, uuid.uuid4()
        clone.title, clone.severity, clone.region = title, severity, region
        clone.created_at = start + dt.timedelta(minutes=i)
        clones.append(clone)
    Problem.objects.bulk_create(clones)
    return titles


def test_the_pdf_lists_the_most_severe_up_to_its_limit_and_the_xlsx_all(new_problem, today):
    limit = content.PDF_LIST_LIMIT
    seed = new_problem("camat-tongas", TONGAS, severity="rendah")
    early = Problem.objects.get(pk=seed.pk).created_at - dt.timedelta(hours=1)
    # Many low ones, recorded first and in a kecamatan listed first; a few critical ones later,
    # in another kecamatan: the critical ones must still open the PDF's list.
    low = _clones(seed, "R", limit + 7, "rendah", Region.objects.get(code=TONGAS), early)
    critical = _clones(seed, "K", 3, "kritis", Region.objects.get(code=PAITON), seed.created_at)

    scope, region, cluster, operation = resolve_scope(
        scope=None, region=Region.objects.get(code=KABUPATEN), cluster=None
    )
    spec = content.Spec(
        operation=operation, scope=scope, region=region, cluster=cluster, start=today, end=today
    )
    data = content.build(spec)
    total = data["totals"]["problems"]
    assert total >= len(low) + len(critical) > limit
    listed = data["pdf"]["problems"]
    assert len(listed["rows"]) == limit and listed["more"] == total - limit
    # The most severe first (the demo data has critical problems of its own), then the oldest.
    ranks = [content.SEVERITY_RANK[r["severity_code"]] for r in listed["rows"]]
    assert ranks == sorted(ranks)
    first = [r["title"] for r in listed["rows"] if r["severity_code"] == "kritis"]
    assert [t for t in first if t in critical] == critical

    text = _squash(
        "".join(p.extract_text() for p in PdfReader(io.BytesIO(render.render(data, "pdf"))).pages)
    )
    shown = {r["title"] for r in listed["rows"]}
    for title in critical:
        assert _squash(title) in text
    assert sum(_squash(t) in text for t in low) == len(shown & set(low)) < len(low)
    # The line under the list: how many more, out of how many.
    assert f"{listed['more']}" in text and f"{total}" in text

    workbook = load_workbook(io.BytesIO(render.render(data, "xlsx")), read_only=True)
    rows = list(workbook.worksheets[2].iter_rows(values_only=True))[1:]
    assert len(rows) == total
    assert set(low + critical) <= {r[3] for r in rows}

    document = Document(io.BytesIO(render.render(data, "docx")))
    # the problem cell: the title on its first line, then category, severity and status
    cells = {
        cell.text.split("\n")[0]
        for table in document.tables
        for row in table.rows
        for cell in row.cells
    }
    assert set(low + critical) <= cells
