"""Periodic reports (laporan berkala): POST /periodic-reports, GET /periodic-reports,
GET /periodic-reports/{id}, POST /periodic-reports/{id}/submit and /receive.

A request answers at once (201, status `generating`); the task queue renders the files, whose
URLs appear in `files` when ready (null until then). The file URLs are the web interface's
downloads (a logged-in session), which re-check a frozen file's hash."""

import datetime as dt
from typing import Annotated, Literal

from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from pantau.accounts import access
from pantau.api import lookups
from pantau.api.errors import errors, refuse_a_body
from pantau.api.schemas import YEARS, BodyIn, Code, Id, Page, RegionCode, not_a_number
from pantau.lib.errors import Invalid, NotFound
from pantau.periodic import actions, selectors
from pantau.periodic.models import FORMATS, PeriodicReport, ReportStatus, Scope

router = Router(tags=["periodic"])
PER_PAGE = 50


def _plausible_day(day: dt.date) -> dt.date:
    if not 1970 <= day.year <= 2200:
        raise PydanticCustomError("year_range", "the year must be between 1970 and 2200")
    return day


Day = Annotated[
    dt.date,
    BeforeValidator(not_a_number),
    AfterValidator(_plausible_day),
    Field(json_schema_extra={"pattern": YEARS}),
]


class PeriodicReportIn(BodyIn):
    scope: Literal[tuple(Scope.values)] = Field(description="kecamatan, cluster or kabupaten")
    region: RegionCode = Field(
        None, description="The kecamatan or kabupaten code (not needed for a cluster report)."
    )
    cluster: Code = Field(None, description="The cluster's code, for a cluster report.")
    period_start: Day = Field(description="First day (YYYY-MM-DD, WIB).")
    period_end: Day = Field(description="Last day (YYYY-MM-DD, WIB), at most a year later.")
    letter_date: Day = Field(
        None,
        description="The letter's date (YYYY-MM-DD, WIB), from period_end to today; "
        "left out: the day it is requested.",
    )


class FilesOut(Schema):
    pdf: str | None = None
    docx: str | None = None
    xlsx: str | None = None


class HashesOut(Schema):
    pdf: str | None = None
    docx: str | None = None
    xlsx: str | None = None


class PeriodicReportOut(Schema):
    id: int
    status: Literal[tuple(ReportStatus.values)]
    scope: Literal[tuple(Scope.values)]
    operation: str = Field(description="The code of the report's operation.")
    region: str
    cluster: str | None
    period_start: dt.date
    period_end: dt.date
    letter_date: dt.date | None = Field(description="The letter's date; null: the day requested.")
    number: str = Field(description="The letter's number (nomor surat).")
    recommendations: str
    error: str
    files: FilesOut = Field(description="Download URLs, null while the file is not ready.")
    sha256: HashesOut = Field(description="The files' hashes (frozen once submitted).")
    frozen: bool
    submitted_at: dt.datetime | None
    received_at: dt.datetime | None


class PeriodicReportPage(Schema):
    count: int
    page: int
    results: list[PeriodicReportOut]


class ListFilters(Schema):
    operation: Code = Field(None, description="An operation code: only its reports.")
    page: Page = 1


def _out(request, report: PeriodicReport) -> dict:
    files = {f.format: f for f in report.files.all()} if report.is_ready else {}
    return {
        "id": report.pk,
        "status": report.status,
        "scope": report.scope,
        "operation": report.operation.code,
        "region": report.region.code,
        "cluster": report.cluster.code if report.cluster_id else None,
        "period_start": report.period_start,
        "period_end": report.period_end,
        "letter_date": report.letter_date,
        "number": report.number,
        "recommendations": report.recommendations,
        "error": report.error,
        "files": {
            fmt: request.build_absolute_uri(files[fmt].get_absolute_url()) if fmt in files else None
            for fmt in FORMATS
        },
        "sha256": {fmt: files[fmt].sha256 if fmt in files else None for fmt in FORMATS},
        "frozen": bool(files) and all(f.frozen for f in files.values()),
        "submitted_at": report.submitted_at,
        "received_at": report.received_at,
    }


@router.post("/periodic-reports", response={201: PeriodicReportOut, **errors(400, 401, 404, 429)})
def request_periodic_report(request, payload: PeriodicReportIn):
    """Request a periodic report. A region or cluster outside the caller's territory is 404."""
    user = request.auth
    cluster = None
    if payload.scope == Scope.CLUSTER:
        if not payload.cluster:
            raise Invalid(_("Choose the cluster."), fields={"cluster": _("required")})
        cluster = access.visible_clusters(user).filter(code=payload.cluster).first()
        if cluster is None:
            raise NotFound(_("Cluster not found, or outside your territory."))
        region = cluster.operation.region
    else:
        if not payload.region:
            raise Invalid(_("Choose the region."), fields={"region": _("required")})
        region = _region(user, payload.region)
    report = actions.do_request_report(
        acting_user=user,
        scope=payload.scope,
        region=region,
        cluster=cluster,
        start=payload.period_start,
        end=payload.period_end,
        letter_date=payload.letter_date,
    )
    report.refresh_from_db()
    return Status(201, _out(request, report))


def _region(user, code: str):
    from pantau.regions.models import Region

    region = Region.objects.filter(code=code).first()
    if region is None:
        raise NotFound(_("Region not found, or outside your territory."))
    return region  # the territory is checked by the action (a kabupaten for an Asisten too)


@router.get("/periodic-reports", response={200: PeriodicReportPage, **errors(400, 401)})
def list_periodic_reports(request, filters: Query[ListFilters]):
    """The periodic reports the caller may see, newest first, 50 a page."""
    reports = (
        selectors.reports_for(request.auth)
        .select_related("region", "cluster", "operation")
        .prefetch_related("files")
        .order_by("-created_at", "-id")
    )
    if operation := lookups.operation_filter(filters.operation):
        reports = reports.filter(operation=operation)
    start = (filters.page - 1) * PER_PAGE
    return {
        "count": reports.count(),
        "page": filters.page,
        "results": [_out(request, r) for r in reports[start : start + PER_PAGE]],
    }


@router.get("/periodic-reports/{id}", response={200: PeriodicReportOut, **errors(400, 401, 404)})
def get_periodic_report(request, id: Path[Id]):
    """One periodic report (404 outside the caller's territory)."""
    return _out(request, selectors.report_for(request.auth, id))


@router.post(
    "/periodic-reports/{id}/submit",
    response={200: PeriodicReportOut, **errors(400, 401, 403, 404, 409, 429)},
)
def submit_periodic_report(request, id: Path[Id]):
    """Submit the draft to the Pj Bupati (its signing official only): the files are frozen."""
    refuse_a_body(request)
    report = actions.do_submit_report(
        selectors.report_for(request.auth, id), acting_user=request.auth
    )
    return _out(request, report)


@router.post(
    "/periodic-reports/{id}/receive",
    response={200: PeriodicReportOut, **errors(400, 401, 403, 404, 409, 429)},
)
def receive_periodic_report(request, id: Path[Id]):
    """Record that the Pj Bupati received the submitted report."""
    refuse_a_body(request)
    report = actions.do_receive_report(
        selectors.report_for(request.auth, id), acting_user=request.auth
    )
    return _out(request, report)
