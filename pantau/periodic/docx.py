"""The editable version (DOCX, python-docx): headings, paragraphs and real tables, so that staff
can finish it in a word processor."""

import copy
import io

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT  # noqa: F401 (kept portrait: A4 as the PDF)
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree


def _table(doc, headers: list[str], rows: list[list]) -> None:
    """A table with a bold header row. The rows are written as XML directly: python-docx's
    `add_row` and `cell.text` cost about 2 ms a row (a kabupaten's thousands of problems took
    seconds); this writes the same markup (the header's cell widths, one paragraph per cell, a
    line break for each newline) in a fraction of that."""
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        cell.text = str(text)
        for run in cell.paragraphs[0].runs:
            run.bold = True
    tbl = table._tbl
    cell_props = [tc.tcPr for tc in table.rows[0]._tr.tc_lst]
    tr_tag, tc_tag, p_tag, r_tag = qn("w:tr"), qn("w:tc"), qn("w:p"), qn("w:r")
    t_tag, br_tag, space = qn("w:t"), qn("w:br"), qn("xml:space")
    for values in rows:
        tr = etree.SubElement(tbl, tr_tag)
        for props, value in zip(cell_props, values, strict=True):
            tc = etree.SubElement(tr, tc_tag)
            if props is not None:
                tc.append(copy.deepcopy(props))
            run = etree.SubElement(etree.SubElement(tc, p_tag), r_tag)
            text = "" if value is None else str(value)
            for i, line in enumerate(text.replace("\r\n", "\n").split("\n")):
                if i:
                    etree.SubElement(run, br_tag)
                if line:
                    t = etree.SubElement(run, t_tag)
                    t.text = line
                    t.set(space, "preserve")


def render(content: dict) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        return _render(content)


def _render(c: dict) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(22), Mm(18)
    doc.styles["Normal"].font.size = Pt(10)

    for text, size in ((c["header"]["government"], 14), (c["header"]["operation"], 10)):
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = para.add_run(text)
        run.bold = size > 10
        run.font.size = Pt(size)
    title = doc.add_heading(c["header"]["title"], level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    para = doc.add_paragraph(f"{c['header']['subject']}\n{_('Period')}: {c['period']['label']}")
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER

    basis = c["basis"]
    doc.add_heading("I. " + _("Basis"), level=1)
    text = basis["title"]
    if basis["number"]:
        text += f" {_('number')} {basis['number']}"
    if basis["signed_on"]:
        text += f", {_('dated')} {basis['signed_on']}"
    if basis["signed_by"]:
        text += f" ({basis['signed_by']})"
    doc.add_paragraph(text + ".")

    totals = c["totals"]
    doc.add_heading("II. " + _("General situation"), level=1)
    doc.add_paragraph(f"{_('Overall situation')}: {c['situation']['label']}")
    for label, value in (
        (_("Field reports received"), totals["reports"]),
        (_("Problems in the period"), totals["problems"]),
        (_("Open problems"), totals["open"]),
        (_("Overdue problems"), totals["overdue"]),
        (_("Resolved in the period"), totals["resolved"]),
    ):
        doc.add_paragraph(f"{label}: {value}", style="List Bullet")

    doc.add_heading("III. " + _("Situation per kecamatan"), level=1)
    _table(
        doc,
        [
            _("Kecamatan"),
            _("Situation"),
            _("Open"),
            _("Overdue"),
            _("Resolved"),
            _("Reporting rate"),
        ],
        [
            [k["name"], k["situation_label"], k["open"], k["overdue"], k["resolved"], k["rate"]]
            for k in c["kecamatan"]
        ],
    )

    doc.add_heading("IV. " + _("Problems, suggestions and solutions"), level=1)
    if c["problems"]:
        _table(
            doc,
            [
                "#",
                _("Kecamatan"),
                _("Village"),
                _("Problem"),
                _("Suggestion"),
                _("Solution / follow-up"),
                _("Status"),
                _("Owner"),
            ],
            [
                [
                    p["id"],
                    p["kecamatan"],
                    p["village"],
                    p["title"],
                    p["suggestion"],
                    p["solution"],
                    p["status"],
                    p["owner"],
                ]
                for p in c["problems"]
            ],
        )
    else:
        doc.add_paragraph(_("No problems in the period."))

    doc.add_heading("V. " + _("Resolved in the period"), level=1)
    if c["resolved"]:
        _table(
            doc,
            ["#", _("Kecamatan"), _("Problem"), _("Solution / follow-up"), _("Resolved at")],
            [
                [p["id"], p["kecamatan"], p["title"], p["solution"], p["resolved_at"]]
                for p in c["resolved"]
            ],
        )
    else:
        doc.add_paragraph(_("None."))

    doc.add_heading("VI. " + _("Overdue or escalated"), level=1)
    if c["overdue"]:
        _table(
            doc,
            ["#", _("Kecamatan"), _("Problem"), _("Status"), _("Owner"), _("Overdue")],
            [
                [p["id"], p["kecamatan"], p["title"], p["status"], p["owner"], _yes(p["overdue"])]
                for p in c["overdue"]
            ],
        )
    else:
        doc.add_paragraph(_("None."))

    comp = c["compliance"]
    doc.add_heading("VII. " + _("Reporting compliance"), level=1)
    if comp["available"]:
        for label, value in (
            (_("Reports expected"), comp["expected"]),
            (_("Reports received"), comp["received"]),
            (_("On time"), comp["on_time"]),
            (_("Reporting rate"), comp["reporting_rate"]),
            (_("On-time rate"), comp["on_time_rate"]),
        ):
            doc.add_paragraph(f"{label}: {value}", style="List Bullet")
        if comp["missing"]:
            doc.add_paragraph(_("Missing reports") + ":")
            _table(
                doc,
                [_("Who"), _("Region"), _("Due")],
                [
                    [m["full_name"] or m["username"], m["region_name"], m["due"]]
                    for m in comp["missing"][:100]
                ],
            )
    else:
        doc.add_paragraph(_("Compliance figures are not available."))

    doc.add_heading("VIII. " + _("Recommendations"), level=1)
    if c["recommendations"]:
        for line in c["recommendations"]:
            doc.add_paragraph(line, style="List Number")
    else:
        doc.add_paragraph("–")

    sig = c["signature"]
    for text in (
        "",
        f"{sig['place']}, {sig['date']}",
        sig["title"],
        "\n\n\n",
        sig["name"] or "....................................",
    ):
        para = doc.add_paragraph(text)
        para.paragraph_format.left_indent = Mm(95)

    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _yes(value: bool) -> str:
    return _("yes") if value else ""
