"""Reads of field reports. Everything that depends on who asks starts from accounts.access."""

import datetime as dt

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from pantau.accounts import access
from pantau.accounts.access import Action
from pantau.instruction.models import READABLE, Checklist, Operation, Role, Stage
from pantau.lib.clock import WIB
from pantau.lib.errors import NotFound
from pantau.monitoring.models import Photo, Report
from pantau.regions.models import Level, Region

REPORT_LEVELS = (Level.KECAMATAN, Level.DESA)
# The roles whose home page puts "send a report" and "record a problem" first: the people in
# the field. The others may report too, from the lists.
FIELD_ROLES = (Role.CAMAT, Role.OPD, Role.VILLAGE, Role.MONITOR)


# Who sees which report is decided in accounts.access, like everything else.
reports_for = access.reports_for
report_for = access.get_report


def photo_for(user, pk) -> Photo:
    """A photo of a report that `user` may see; NotFound otherwise."""
    photo = Photo.objects.filter(pk=pk).first()
    if photo is None or not reports_for(user).filter(pk=photo.report_id).exists():
        raise NotFound(_("Photo not found."))
    return photo


def report_regions(user) -> QuerySet[Region]:
    """The kecamatan and villages `user` may report on, in tree order (kecamatan, its villages)."""
    if Action.WRITE not in access.allowed_actions(user):
        return Region.objects.none()
    return access.visible_regions(user).filter(level__in=REPORT_LEVELS).order_by("code")


def default_report_region(user) -> str | None:
    """The region to preselect: the one root of the user's territory (a village account, a
    camat's kecamatan), when there is exactly one and a report may be about it."""
    terr = access.territory(user)
    if terr.everything or len(terr.roots) != 1:
        return None
    (code,) = terr.roots
    return code if report_regions(user).filter(code=code).exists() else None


def can_report(user) -> bool:
    return Action.WRITE in access.allowed_actions(user) and bool(access.territory(user))


def is_field_role(user) -> bool:
    return user.role in FIELD_ROLES and can_report(user)


def stages() -> QuerySet[Stage]:
    """The stages of the active operations, in calendar order."""
    return Stage.objects.filter(is_active=True, operation__status__in=READABLE).order_by(
        "operation_id", "order", "starts_on"
    )


def writable_stages() -> QuerySet[Stage]:
    """The stages a new report may name: those of the active operations."""
    return (
        Stage.objects.filter(is_active=True, operation__status=Operation.Status.ACTIVE)
        .select_related("operation")
        .order_by("operation_id", "order", "starts_on")
    )


def stage_checklists(stage: Stage | None) -> list[Checklist]:
    if stage is None:
        return []
    return list(stage.checklists.filter(is_active=True).order_by("order", "pk"))


def filter_reports(
    reports: QuerySet[Report],
    *,
    kecamatan: str = "",
    situation: str = "",
    stage: Stage | None = None,
    day: dt.date | None = None,
) -> QuerySet[Report]:
    """Narrow a list of reports that already starts from `reports_for(user)`."""
    if kecamatan:
        reports = reports.filter(Region.subtree_q(kecamatan, "region__code"))
    if situation:
        reports = reports.filter(situation=situation)
    if stage is not None:
        reports = reports.filter(stage=stage)
    if day is not None:
        start = dt.datetime.combine(day, dt.time.min, tzinfo=WIB)
        reports = reports.filter(
            observed_at__gte=start, observed_at__lt=start + dt.timedelta(days=1)
        )
    return reports


def report_answers(report: Report) -> list[dict]:
    """The answers with the text of their question, in the checklist's order."""
    questions = report.checklist.questions if report.checklist else []
    answers = dict(report.answers or {})
    rows = []
    for q in questions:
        if q["code"] not in answers:
            continue
        value = answers.pop(q["code"])
        if isinstance(value, bool):
            value = _("yes") if value else _("no")
        rows.append({"code": q["code"], "text": q.get("text", q["code"]), "value": value})
    for code, value in answers.items():  # a question since removed from the checklist
        rows.append({"code": code, "text": code, "value": value})
    return rows
