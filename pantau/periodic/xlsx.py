"""The version for analysis (XLSX, openpyxl in write-only mode): a summary sheet, one row per
kecamatan, every problem, and the reporting compliance."""

import io

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook

from pantau.lib.spreadsheet import TextSheet


def render(content: dict) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        return _render(content)


def _render(c: dict) -> bytes:
    wb = Workbook(write_only=True)
    summary = TextSheet(wb.create_sheet(_("Summary")))
    basis, totals = c["basis"], c["totals"]
    for row in (
        [c["header"]["government"]],
        [c["header"]["title"], c["header"]["subject"]],
        [_("Operation"), c["header"]["operation"]],
        [_("Basis"), basis["title"]],
        [_("Instruction number"), basis["number"]],
        [_("Signed on"), basis["signed_on"]],
        [_("Signed by"), basis["signed_by"]],
        [_("Period"), c["period"]["label"]],
        [_("Overall situation"), c["situation"]["label"]],
        [_("Field reports received"), totals["reports"]],
        [_("Problems in the period"), totals["problems"]],
        [_("Open problems"), totals["open"]],
        [_("Overdue problems"), totals["overdue"]],
        [_("Resolved in the period"), totals["resolved"]],
        [_("Recommendations"), "\n".join(c["recommendations"])],
        [_("Generated"), c["generated_at"]],
    ):
        summary.append(row)

    kec = TextSheet(wb.create_sheet(_("Kecamatan")))
    kec.append(
        [_("Code"), _("Kecamatan"), _("Situation"), _("Open"), _("Overdue"), _("Resolved"),
         _("Reporting rate")]
    )  # fmt: skip
    for k in c["kecamatan"]:
        kec.append(
            [k["code"], k["name"], k["situation_label"], k["open"], k["overdue"], k["resolved"],
             k["rate"]]
        )  # fmt: skip

    problems = TextSheet(wb.create_sheet(_("Problems")))
    problems.append(
        [
            "#",
            _("Kecamatan"),
            _("Village"),
            _("Problem"),
            _("Category"),
            _("Severity"),
            _("Suggestion"),
            _("Solution / follow-up"),
            _("Status"),
            _("Level"),
            _("Owner"),
            _("Recorded at"),
            _("Resolved at"),
            _("Overdue"),
            _("Escalated"),
        ]
    )
    for p in c["problems"]:
        problems.append(
            [
                p["id"],
                p["kecamatan"],
                p["village"],
                p["title"],
                p["category"],
                p["severity"],
                p["suggestion"],
                p["solution"],
                p["status"],
                p["level"],
                p["owner"],
                p["created_at"],
                p["resolved_at"],
                int(p["overdue"]),
                int(p["escalated"]),
            ]
        )

    comp = c["compliance"]
    sheet = TextSheet(wb.create_sheet(_("Compliance")))
    sheet.append([_("Reports expected"), comp["expected"]])
    sheet.append([_("Reports received"), comp["received"]])
    sheet.append([_("On time"), comp["on_time"]])
    sheet.append([_("Reporting rate"), comp["reporting_rate"]])
    sheet.append([_("On-time rate"), comp["on_time_rate"]])
    sheet.append([])
    sheet.append([_("Missing reports"), _("Region"), _("Due")])
    for m in comp["missing"]:
        sheet.append([m["full_name"] or m["username"], m["region_name"], m["due"]])

    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
