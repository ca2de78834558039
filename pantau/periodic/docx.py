"""The editable version (DOCX, python-docx): headings, paragraphs and real tables, so that staff
can finish it in a word processor."""

import base64
import copy
import io

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document
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
    # the header row repeats on every page the table runs to
    etree.SubElement(table.rows[0]._tr.get_or_add_trPr(), qn("w:tblHeader"))
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
    """The letter in the PDF's order: kop, letter lines, addressee, body I-VI, signature,
    tembusan, and the annex on a page of its own."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(25), Mm(18)
    section.top_margin, section.bottom_margin = Mm(18), Mm(20)
    doc.styles["Normal"].font.size = Pt(10)
    for part in (_kop, _letter_lines, _intro, _execution, _results, _problems, _conclusions):
        part(doc, c)
    _closing(doc, c)
    if c["letter"]["annex"]:
        _annex(doc, c)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _centered(doc, text: str, *, size: int = 10, bold: bool = False):
    para = doc.add_paragraph()
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    para.paragraph_format.space_after = Pt(0)
    run = para.add_run(text)
    run.bold, run.font.size = bold, Pt(size)
    return para


def _kop(doc, c: dict) -> None:
    letter = c["letter"]
    if letter["emblem"]:
        data = base64.b64decode(letter["emblem"].split(",", 1)[1])
        doc.add_picture(io.BytesIO(data), width=Mm(20))
        doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _centered(doc, letter["government"], size=13, bold=True)
    _centered(doc, letter["unit"], size=12, bold=True)
    if letter["address"]:
        _centered(doc, letter["address"], size=8)
    last = _centered(doc, " · ".join(letter["contacts"]), size=8)
    _bottom_rule(last)


def _bottom_rule(para) -> None:
    """The kop's double line under the last paragraph."""
    borders = etree.SubElement(para._p.get_or_add_pPr(), qn("w:pBdr"))
    bottom = etree.SubElement(borders, qn("w:bottom"))
    for key, value in (("val", "double"), ("sz", "12"), ("space", "4"), ("color", "000000")):
        bottom.set(qn(f"w:{key}"), value)


def _letter_lines(doc, c: dict) -> None:
    letter, sig = c["letter"], c["signature"]
    para = doc.add_paragraph(f"{sig['place']}, {sig['date']}")
    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    table = doc.add_table(rows=0, cols=3)
    for label, value in (
        (_("Number"), letter["number"]),
        ("Sifat", letter["sifat"]),
        ("Lampiran", letter["lampiran"]),
        ("Hal", letter["hal"]),
    ):
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = label, ":", value
        cells[0].width, cells[1].width, cells[2].width = Mm(22), Mm(4), Mm(140)
    doc.add_paragraph(f"{letter['addressee']}\n{letter['addressee_place']}")
    _centered(doc, c["header"]["title"], size=12, bold=True)
    _centered(doc, c["header"]["operation"])
    _centered(doc, f"{c['header']['subject']} · {_('Period')}: {c['period']['label']}")


def _intro(doc, c: dict) -> None:
    body = c["body"]
    doc.add_heading("I. " + _("INTRODUCTION"), level=1)
    doc.add_heading("A. " + _("Basis"), level=2)
    for line in body["dasar"]:
        doc.add_paragraph(line, style="List Number")
    doc.add_heading("B. " + _("Purpose and objective"), level=2)
    for text in (body["maksud"], body["tujuan"]):
        if text:
            doc.add_paragraph(text)
    doc.add_heading("C. " + _("Scope of the report"), level=2)
    doc.add_paragraph(body["ruang_lingkup"])


def _execution(doc, c: dict) -> None:
    doc.add_heading("II. " + _("EXECUTION"), level=1)
    for line in c["body"]["pelaksanaan"]:
        doc.add_paragraph(line)


def _results(doc, c: dict) -> None:
    totals = c["totals"]
    doc.add_heading("III. " + _("RESULTS"), level=1)
    doc.add_paragraph(f"{_('Overall situation')}: {c['situation']['label']}")
    for label, value in (
        (_("Field reports received"), totals["reports"]),
        (_("Problems in the period"), totals["problems"]),
        (_("Open problems"), totals["open"]),
        (_("Overdue problems"), totals["overdue"]),
        (_("Resolved in the period"), totals["resolved"]),
    ):
        doc.add_paragraph(f"{label}: {value}", style="List Bullet")
    doc.add_heading(_("Situation per kecamatan"), level=2)
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


def _solution_text(p: dict) -> str:
    if p["solution"]:
        return p["solution"]
    return f"{_('In progress')}: {p['follow_up']}" if p["follow_up"] else "–"


def _problems(doc, c: dict) -> None:
    doc.add_heading("IV. " + _("PROBLEMS, SUGGESTIONS AND SOLUTIONS"), level=1)
    doc.add_heading("A. " + _("Problems in the period"), level=2)
    if c["problems"]:
        _table(
            doc,
            [_("No."), _("Region"), _("Problem"), _("Suggestion"), _("Solution / follow-up")],
            [
                [
                    p["id"],
                    "\n".join(x for x in (p["kecamatan"], p["village"]) if x),
                    f"{p['title']}\n{p['category']}; {p['severity']}\n{_('Status')}: {p['status']}"
                    + (f" ({p['owner']})" if p["owner"] else ""),
                    p["suggestion"] or "–",
                    _solution_text(p),
                ]
                for p in c["problems"]
            ],
        )
    else:
        doc.add_paragraph(_("No problems in the period."))
    doc.add_heading("B. " + _("Resolved in the period"), level=2)
    if c["resolved"]:
        _table(
            doc,
            [_("No."), _("Kecamatan"), _("Problem"), _("Solution / follow-up"), _("Resolved at")],
            [
                [p["id"], p["kecamatan"], p["title"], p["solution"], p["resolved_at"]]
                for p in c["resolved"]
            ],
        )
    else:
        doc.add_paragraph(_("None."))
    doc.add_heading("C. " + _("Overdue or escalated"), level=2)
    if c["overdue"]:
        _table(
            doc,
            [_("No."), _("Kecamatan"), _("Problem"), _("Status"), _("Owner"), _("Why listed")],
            [
                [p["id"], p["kecamatan"], p["title"], p["status"], p["owner"], _why(p)]
                for p in c["overdue"]
            ],
        )
    else:
        doc.add_paragraph(_("None."))


def _why(p: dict) -> str:
    return ", ".join(
        text
        for flag, text in ((p["overdue"], _("overdue")), (p["escalated"], _("escalated")))
        if flag
    )


def _conclusions(doc, c: dict) -> None:
    doc.add_heading("V. " + _("CONCLUSIONS AND RECOMMENDATIONS"), level=1)
    doc.add_heading("A. " + _("Conclusions"), level=2)
    for line in c["body"]["simpulan"]:
        doc.add_paragraph(line, style="List Number")
    doc.add_heading("B. " + _("Recommendations"), level=2)
    for line in c["recommendations"]["lines"]:
        doc.add_paragraph(line, style="List Number")
    if c["recommendations"]["derived"]:
        doc.add_paragraph(
            _(
                "Drawn from the figures of this report; the coordinator may replace them "
                "before submitting."
            )
        )


def _closing(doc, c: dict) -> None:
    """Penutup and the signature kept on one page (keep-with-next on every line)."""
    sig, letter = c["signature"], c["letter"]
    heading = doc.add_heading("VI. " + _("CLOSING"), level=1)
    lines = [heading, doc.add_paragraph(letter["penutup"])]
    for text in (
        sig["title"],
        "\n\n\n",
        sig["name"] or "....................................",
        sig["rank"],
        f"NIP. {sig['nip'] or '....................................'}",
    ):
        para = doc.add_paragraph(text)
        para.paragraph_format.left_indent = Mm(88)
        para.paragraph_format.space_after = Pt(0)
        lines.append(para)
    for para in lines:
        para.paragraph_format.keep_with_next = True
        para.paragraph_format.keep_together = True
    lines[-1].paragraph_format.keep_with_next = False
    if letter["tembusan"]:
        doc.add_paragraph("Tembusan:")
        for text in letter["tembusan"]:
            doc.add_paragraph(text, style="List Number 2")


def _annex(doc, c: dict) -> None:
    doc.add_page_break()
    para = doc.add_paragraph(
        f"LAMPIRAN\n{_('Number')}: {c['letter']['number']}\n{_('Date')}: {c['signature']['date']}"
    )
    para.paragraph_format.left_indent = Mm(88)
    _centered(doc, _("SCHEDULED REPORTS NOT RECEIVED"), size=12, bold=True)
    _centered(doc, f"{c['header']['subject']} · {c['period']['label']}")
    _table(
        doc,
        [_("No."), _("Who"), _("Region"), _("Due")],
        [
            [i, m["who"], m["region"], "; ".join(m["due"])]
            for i, m in enumerate(c["compliance"]["missing_by_person"], start=1)
        ],
    )
