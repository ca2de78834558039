"""Building a report's content: its number of queries does not grow with its rows, and what
people typed is printed as text (the PDF renderer fetches nothing)."""

import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from pantau.periodic import content, pdf
from pantau.periodic.actions import resolve_scope
from pantau.periodic.tests.conftest import KABUPATEN, PAITON, TONGAS
from pantau.regions.models import Region


def _build(today):
    scope, region, cluster, operation = resolve_scope(
        scope=None, region=Region.objects.get(code=KABUPATEN), cluster=None
    )
    spec = content.Spec(
        operation=operation, scope=scope, region=region, cluster=cluster, start=today, end=today
    )
    with CaptureQueriesContext(connection) as queries:
        data = content.build(spec)
    return data, len(queries.captured_queries)


def test_its_queries_do_not_grow_with_the_rows(inventory, new_problem, act, today):
    before, count = _build(today)
    # More problems, in other kecamatan and villages, categories, states and owners.
    act(new_problem("camat-paiton", PAITON, category="keamanan"), "camat-paiton", "verify")
    act(new_problem("camat-tongas", TONGAS), "camat-tongas", "escalate", note="Butuh Asisten")
    new_problem("desa-3513012001", "35.13.01.2001", severity="rendah")
    new_problem("camat-tongas", TONGAS, category="kampanye-apk")
    after, count_after = _build(today)
    assert len(after["problems"]) == len(before["problems"]) + 4
    assert count_after == count


def test_typed_markup_is_printed_as_text(new_problem, today):
    title = '<img src="file:///etc/hostname"> & <b>Kotak</b>'
    new_problem("camat-tongas", TONGAS, title=title)
    data, _count = _build(today)
    document = PdfReader(io.BytesIO(pdf.render(data)))
    text = "".join(page.extract_text() for page in document.pages)
    # Compared without white space: the narrow column wraps the title.
    assert "".join(title.split()) in "".join(text.split())
    # One family throughout, the page numbers included (the fonts embedded are its faces).
    fonts = {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for page in document.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert fonts and all(name.startswith("DejaVu-Sans") for name in fonts), fonts
