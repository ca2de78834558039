"""Writes of periodic reports: request, recommendations, submit, receive, and the generation
that the task queue runs. Each write is one transaction with its audit entry; generation is
queued on commit so that no web request waits for a PDF.

Freezing: the files are rendered while the report is a draft (again after each change of the
recommendations). Submitting renders nothing: it freezes the files the coordinator saw, after
checking that their bytes still match the hashes taken when they were rendered, and records the
hashes in the audit log. A frozen file is never rendered again; its download re-checks the hash.
"""

import datetime as dt
import logging

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pantau.audit import log as audit
from pantau.instruction.models import Cluster, Operation
from pantau.instruction.operations import unknown
from pantau.instruction.selectors import desk_operations, operation_for_region
from pantau.lib.clock import WIB
from pantau.lib.errors import Conflict, Forbidden, Invalid, NotFound
from pantau.lib.queue import enqueue_on_commit
from pantau.periodic import content as report_content
from pantau.periodic import numbering, render
from pantau.periodic.models import FORMATS, PeriodicReport, ReportFile, ReportStatus, Scope
from pantau.periodic.selectors import may_cover, may_receive, may_sign, requestable_regions
from pantau.regions.models import Level as RegionLevel
from pantau.regions.models import Region

logger = logging.getLogger(__name__)
MAX_DAYS = 366
SNAPSHOT = ("status", "recommendations", "revision")


def resolve_scope(
    *, scope: str | None, region: Region, cluster: Cluster | None, operation=None
) -> tuple[str, Region, Cluster | None, Operation]:
    """Check that scope, region and cluster fit together; the region of a cluster report is
    its operation's kabupaten. `operation`: the one chosen (one of the region's
    `desk_operations`), else the region's active one. Raises Invalid with the field at fault."""
    if scope is None:
        scope = Scope.CLUSTER if cluster else region.level
    if scope not in Scope.values:
        raise Invalid(_("Unknown scope."), fields={"scope": _("kecamatan, cluster or kabupaten")})
    if scope == Scope.CLUSTER:
        if cluster is None:
            raise Invalid(_("Choose the cluster."), fields={"cluster": _("required")})
        operation = cluster.operation
        region = operation.region
    else:
        cluster = None
        expected = RegionLevel.KECAMATAN if scope == Scope.KECAMATAN else RegionLevel.KABUPATEN
        if region.level != expected:
            raise Invalid(
                _("The region does not fit the scope of the report."),
                fields={"region": _("a %(level)s") % {"level": expected}},
            )
        if operation is not None and operation not in desk_operations(region):
            raise unknown(operation.code)
        operation = operation or operation_for_region(region)
    if operation is None or not operation.is_active:
        raise Invalid(
            _("No active monitoring operation covers this region."),
            fields={"region": _("no active operation")},
        )
    return scope, region, cluster, operation


def check_period(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise Invalid(
            _("The period ends before it starts."), fields={"period_end": _("before the start")}
        )
    if (end - start).days >= MAX_DAYS:
        raise Invalid(
            _("A report covers at most a year."), fields={"period_end": _("at most a year")}
        )


def check_letter_date(letter_date: dt.date | None, end: dt.date, today: dt.date) -> None:
    """A letter is dated on or after the last day it reports on, and not in the future."""
    if letter_date is not None and not end <= letter_date <= today:
        raise Invalid(
            _("The letter is dated between the end of the period and today."),
            fields={"letter_date": _("from the end of the period to today")},
        )


def do_request_report(
    *,
    acting_user,
    scope: str | None,
    region: Region,
    start: dt.date,
    end: dt.date,
    letter_date: dt.date | None = None,
    cluster: Cluster | None = None,
    schedule_key: str = "",
    schedule_day: dt.date | None = None,
    operation: Operation | None = None,
) -> PeriodicReport:
    """Ask for a report; its files are rendered by the task queue after the commit.
    `acting_user` None is the scheduler (no territory check).

    The territory is checked first: a region outside it answers like one that does not exist,
    whatever else is wrong with the request."""
    if (
        acting_user is not None
        and cluster is None
        and not requestable_regions(acting_user).filter(pk=region.pk).exists()
    ):
        raise NotFound(_("Region not found, or outside your territory."))
    scope, region, cluster, operation = resolve_scope(
        scope=scope, region=region, cluster=cluster, operation=operation
    )
    if acting_user is not None and not may_cover(
        acting_user, scope=scope, region=region, cluster=cluster
    ):
        # The same answer as for a region that does not exist: never reveal what is elsewhere.
        raise NotFound(_("Region not found, or outside your territory."))
    check_period(start, end)
    today = timezone.localdate(timezone.now(), WIB)
    check_letter_date(letter_date, end, today)
    with transaction.atomic():
        day = letter_date or today
        year, seq = numbering.take_number(day=day)
        report = PeriodicReport.objects.create(
            number=numbering.format_number(
                (operation.letter or {}).get("number", ""), seq=seq, day=day, scope=scope
            ),
            number_year=year,
            number_seq=seq,
            operation=operation,
            scope=scope,
            region=region,
            cluster=cluster,
            period_start=start,
            period_end=end,
            letter_date=letter_date,
            created_by=acting_user,
            schedule_key=schedule_key,
            schedule_day=schedule_day,
        )
        audit.record(
            actor=acting_user,
            action="periodic.request",
            obj=report,
            after={
                "number": report.number,
                "scope": scope,
                "region": region.code,
                "cluster": cluster.code if cluster else None,
                "period_start": start,
                "period_end": end,
                "schedule": schedule_key or None,
            },
        )
        _queue_generation(report)
    return report


def _queue_generation(report: PeriodicReport) -> None:
    enqueue_on_commit("pantau.periodic.tasks.generate_report", report.pk, report.revision)


def generate(report_id: int, revision: int, *, now: dt.datetime | None = None) -> bool:
    """Render the three files of a report for `revision` (the task's work). Files of an older
    revision are dropped; frozen files are never touched. True when files were stored."""
    report = PeriodicReport.objects.filter(pk=report_id).first()
    if report is None or report.revision != revision or report.status != ReportStatus.GENERATING:
        return False
    try:
        data = report_content.build(report_content.spec_of(report), now=now)
        rendered = {fmt: render.render(data, fmt) for fmt in FORMATS}
    except Exception as exc:  # noqa: BLE001 - any failure is shown on the report
        logger.exception("Periodic report %s could not be generated", report_id)
        PeriodicReport.objects.filter(
            pk=report_id, revision=revision, status=ReportStatus.GENERATING
        ).update(status=ReportStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
        return False
    stale = []
    with transaction.atomic():
        report = PeriodicReport.objects.select_for_update().get(pk=report_id)
        if report.revision != revision or report.status != ReportStatus.GENERATING:
            return False  # the recommendations changed meanwhile: a later task renders
        for fmt, data_bytes in rendered.items():
            old = report.files.filter(format=fmt).first()
            if old is not None:
                if old.frozen:  # pragma: no cover - a frozen report is never generating
                    raise Conflict(_("This report is frozen."))
                stale.append(old.file.name)
                old.delete()
            item = ReportFile(
                report=report, format=fmt, sha256=render.sha256(data_bytes), size=len(data_bytes)
            )
            item.file.save(f"report.{fmt}", ContentFile(data_bytes), save=False)
            item.save()
        report.status = ReportStatus.DRAFT
        report.error = ""
        report.generated_at = timezone.now()
        report.save(update_fields=["status", "error", "generated_at"])
    for name in stale:
        ReportFile.file.field.storage.delete(name)
    return True


def do_update_recommendations(
    report: PeriodicReport, *, acting_user, recommendations: str
) -> PeriodicReport:
    """The signing official's recommendations; the files are rendered again with them."""
    with transaction.atomic():
        report = PeriodicReport.objects.select_for_update().get(pk=report.pk)
        if not may_sign(acting_user, report):
            raise Forbidden(_("Only the signing official may change the recommendations."))
        if report.status not in (ReportStatus.DRAFT, ReportStatus.FAILED):
            raise Conflict(_("The recommendations can be changed only on a draft."))
        before = audit.snapshot(report, SNAPSHOT)
        report.recommendations = (recommendations or "").strip()
        report.revision += 1
        report.status = ReportStatus.GENERATING
        report.error = ""
        report.save(update_fields=["recommendations", "revision", "status", "error"])
        audit.record(
            actor=acting_user,
            action="periodic.recommendations",
            obj=report,
            before=before,
            after=audit.snapshot(report, SNAPSHOT),
        )
        _queue_generation(report)
    return report


def do_retry_report(report: PeriodicReport, *, acting_user) -> PeriodicReport:
    """Render a failed report again: the signing official's to do, as the recommendations."""
    with transaction.atomic():
        report = PeriodicReport.objects.select_for_update().get(pk=report.pk)
        if not may_sign(acting_user, report):
            raise Forbidden(_("Only the signing official may generate this report again."))
        if report.status != ReportStatus.FAILED:
            raise Conflict(_("Only a failed report is generated again."))
        report.revision += 1
        report.status = ReportStatus.GENERATING
        report.save(update_fields=["revision", "status"])
        audit.record(actor=acting_user, action="periodic.retry", obj=report)
        _queue_generation(report)
    return report


def do_submit_report(report: PeriodicReport, *, acting_user) -> PeriodicReport:
    """Submit the draft to the Pj Bupati: its files are frozen, with their hashes recorded."""
    with transaction.atomic():
        report = PeriodicReport.objects.select_for_update().get(pk=report.pk)
        if not may_sign(acting_user, report):
            raise Forbidden(_("Only the signing official may submit this report."))
        if report.status != ReportStatus.DRAFT:
            raise Conflict(_("Only a finished draft can be submitted."))
        files = list(report.files.all())
        if {f.format for f in files} != set(FORMATS):
            raise Conflict(_("The report's files are not complete."))
        hashes = {}
        for item in files:
            if render.sha256_of_file(item.file) != item.sha256:
                raise Conflict(
                    _("A file of this report changed on disk; generate the report again."),
                    code="tampered",
                )
            hashes[item.format] = item.sha256
        ReportFile.objects.filter(report=report).update(frozen=True)
        before = audit.snapshot(report, SNAPSHOT)
        report.status = ReportStatus.SUBMITTED
        report.submitted_by = acting_user
        report.submitted_at = timezone.now()
        report.save(update_fields=["status", "submitted_by", "submitted_at"])
        audit.record(
            actor=acting_user,
            action="periodic.submit",
            obj=report,
            before=before,
            after={**audit.snapshot(report, SNAPSHOT), "sha256": hashes},
        )
    return report


def do_receive_report(report: PeriodicReport, *, acting_user) -> PeriodicReport:
    """The Pj Bupati acknowledges receipt of the submitted (frozen) files."""
    with transaction.atomic():
        report = PeriodicReport.objects.select_for_update().get(pk=report.pk)
        if not may_receive(acting_user, report):
            raise Forbidden(_("Only the Pj Bupati receives periodic reports."))
        if report.status != ReportStatus.SUBMITTED:
            raise Conflict(_("Only a submitted report can be received."))
        hashes = {f.format: f.sha256 for f in report.files.all()}
        report.status = ReportStatus.RECEIVED
        report.received_by = acting_user
        report.received_at = timezone.now()
        report.save(update_fields=["status", "received_by", "received_at"])
        audit.record(
            actor=acting_user,
            action="periodic.receive",
            obj=report,
            before={"status": ReportStatus.SUBMITTED},
            after={"status": report.status, "sha256": hashes},
        )
    return report


def verified_file(item: ReportFile) -> ReportFile:
    """A frozen file whose bytes on disk still match its recorded hash; Conflict otherwise."""
    try:
        actual = render.sha256_of_file(item.file)
    except FileNotFoundError:
        actual = None
    if actual != item.sha256:
        logger.error("Periodic report file %s does not match its hash", item.pk)
        raise Conflict(
            _("This file no longer matches the version that was submitted; it is withheld."),
            code="tampered",
        )
    return item
