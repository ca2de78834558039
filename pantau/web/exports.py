"""Exports of the lists (CSV and XLSX) with the list's filters; the territory is always applied,
since they start from `access.problems_for(user)` and `monitoring.selectors.reports_for(user)`.

Both stream: CSV rows are produced from `.iterator()` as the response is sent; an XLSX is
written row by row (openpyxl's write-only mode) to a temporary file, which is then sent in
chunks. Neither holds the whole list in memory, however large the regency."""

import csv
import tempfile

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from pantau.accounts import access
from pantau.lib.clock import WIB
from pantau.lib.dbrouter import replica_reads
from pantau.monitoring import selectors as report_selectors
from pantau.periodic.xlsx import FORMULA_START, safe_row
from pantau.problems import selectors as problem_selectors
from pantau.problems.models import Level, Severity, Status
from pantau.web.forms import ProblemFilterForm, ReportFilterForm

CHUNK = 2000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Echo:
    def write(self, value):
        return value


def _wib(moment) -> str:
    return timezone.localtime(moment, WIB).strftime("%Y-%m-%d %H:%M") if moment else ""


def _csv_cell(value):
    # A spreadsheet opening the CSV must not run a formula sent from the field.
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _kecamatan(region):
    return region.parent if region.level in ("desa", "tps") else region


def _problems(request):
    user = request.user
    form = ProblemFilterForm(request.GET, user=user)
    problems = problem_selectors.filter_problems(
        access.problems_for(user), user=user, **form.filters()
    )
    return (
        problem_selectors.with_list_relations(problems)
        .select_related("stage", "reporter")
        .order_by("-created_at", "-id")
    )


def _problem_rows(request):
    statuses, levels, severities = dict(Status.choices), dict(Level.choices), dict(Severity.choices)
    yield [
        "id", _("Kecamatan"), _("Village"), _("Region code"), _("Problem"), _("Category"),
        _("Severity"), _("Status"), _("Level"), _("Owner"), _("Suggestion"),
        _("Solution / follow-up"), _("Recorded at (WIB)"), _("Resolved at (WIB)"),
    ]  # fmt: skip
    for p in _problems(request).iterator(chunk_size=CHUNK):
        kec = _kecamatan(p.region)
        yield [
            p.pk,
            kec.name if kec else "",
            p.region.name if p.region.level != "kecamatan" else "",
            p.region.code,
            p.title,
            p.category.name,
            str(severities.get(p.severity, p.severity)),
            str(statuses.get(p.status, p.status)),
            str(levels.get(p.level, p.level)),
            (p.owner.full_name or p.owner.username) if p.owner else "",
            p.suggestion,
            p.solution,
            _wib(p.created_at),
            _wib(p.resolved_at),
        ]


def _reports(request):
    user = request.user
    form = ReportFilterForm(request.GET, user=user)
    return (
        report_selectors.filter_reports(report_selectors.reports_for(user), **form.filters())
        .select_related("region", "region__parent", "stage", "author")
        .order_by("-observed_at", "-id")
    )


def _report_rows(request):
    yield [
        "id", _("Kecamatan"), _("Village"), _("Region code"), _("TPS"), _("Situation"),
        _("Stage"), _("Author"), _("Observed at (WIB)"), _("Received at (WIB)"), _("Channel"),
        _("Narrative"),
    ]  # fmt: skip
    for r in _reports(request).iterator(chunk_size=CHUNK):
        kec = _kecamatan(r.region)
        yield [
            r.pk,
            kec.name if kec else "",
            r.region.name if r.region.level != "kecamatan" else "",
            r.region.code,
            r.tps,
            r.situation,
            r.stage.name if r.stage_id else "",
            r.author.full_name or r.author.username,
            _wib(r.observed_at),
            _wib(r.received_at),
            r.channel,
            r.narrative,
        ]


def _filename(stem: str, ext: str) -> str:
    return f"{stem}-{timezone.localtime(timezone.now(), WIB):%Y%m%d-%H%M}.{ext}"


def _stream_csv(rows, stem: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # a BOM: spreadsheet programs then read UTF-8
        for row in rows:
            yield writer.writerow([_csv_cell(v) for v in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(stem, "csv")}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _xlsx(rows, stem: str, sheet_name: str) -> FileResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name)
    for row in rows:
        sheet.append(safe_row(sheet, row))
    # Deleted when closed, i.e. once the response has been sent.
    tmp = tempfile.TemporaryFile(suffix=".xlsx")
    workbook.save(tmp)
    tmp.seek(0)
    response = FileResponse(
        tmp, as_attachment=True, filename=_filename(stem, "xlsx"), content_type=XLSX_TYPE
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@replica_reads()
def problems_csv(request):
    return _stream_csv(_problem_rows(request), "masalah")


@login_required
@replica_reads()
def problems_xlsx(request):
    return _xlsx(_problem_rows(request), "masalah", _("Problems"))


@login_required
@replica_reads()
def reports_csv(request):
    return _stream_csv(_report_rows(request), "laporan")


@login_required
@replica_reads()
def reports_xlsx(request):
    return _xlsx(_report_rows(request), "laporan", _("Field reports"))
