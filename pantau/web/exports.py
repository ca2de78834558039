"""Exports of the lists (CSV and XLSX) with the list's filters; the territory is always applied,
since they start from `access.problems_for(user)` and `monitoring.selectors.reports_for(user)`.

Both stream (`pantau.lib.spreadsheet`): the rows are produced from `.iterator()`, so neither
holds the whole list in memory, however large the regency."""

from django.contrib.auth.decorators import login_required
from django.utils import timezone
from django.utils.translation import gettext as _

from pantau.accounts import access
from pantau.lib.clock import WIB
from pantau.lib.dbrouter import replica_reads
from pantau.lib.spreadsheet import stream_csv, xlsx_response
from pantau.monitoring import selectors as report_selectors
from pantau.problems import selectors as problem_selectors
from pantau.problems.models import Level, Severity, Status
from pantau.web.forms import ProblemFilterForm, ReportFilterForm

CHUNK = 2000


def _wib(moment) -> str:
    return timezone.localtime(moment, WIB).strftime("%Y-%m-%d %H:%M") if moment else ""


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


@login_required
@replica_reads()
def problems_csv(request):
    return stream_csv(_problem_rows(request), "masalah")


@login_required
@replica_reads()
def problems_xlsx(request):
    return xlsx_response(_problem_rows(request), "masalah", _("Problems"))


@login_required
@replica_reads()
def reports_csv(request):
    return stream_csv(_report_rows(request), "laporan")


@login_required
@replica_reads()
def reports_xlsx(request):
    return xlsx_response(_report_rows(request), "laporan", _("Field reports"))
