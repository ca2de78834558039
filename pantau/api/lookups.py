"""The API names things by their codes; these find the objects the actions take. An unknown code
is a 400 naming the field; a region or report outside the caller's territory is what
`accounts.access` says it is (not found)."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from pantau.instruction.models import Agency, Category, Checklist, Stage
from pantau.lib.errors import Invalid, NotFound
from pantau.monitoring import selectors as reports
from pantau.monitoring.models import Report
from pantau.regions.models import Region


def _unknown(field: str) -> Invalid:
    return Invalid(
        _("Unknown %(field)s code.") % {"field": field}, fields={field: _("unknown code")}
    )


def _of_region(objects: QuerySet, region: Region, field: str):
    """The one of `objects` (stages or checklists, of active operations) whose operation covers
    `region`; a code may repeat across operations."""
    for obj in objects.select_related("operation__region"):
        if region.is_within(obj.operation.region.code):
            return obj
    raise _unknown(field)


def stage(code: str | None, region: Region) -> Stage | None:
    if not code:
        return None
    stages = Stage.objects.filter(code=code, is_active=True, operation__status="active")
    return _of_region(stages, region, "stage")


def checklist(code: str | None, region: Region) -> Checklist | None:
    if not code:
        return None
    checklists = Checklist.objects.filter(code=code, is_active=True, operation__status="active")
    return _of_region(checklists, region, "checklist")


def category(code: str | None) -> Category | None:
    if not code:
        return None
    found = Category.objects.filter(code=code, is_active=True).first()
    if found is None:
        raise _unknown("category")
    return found


def agency(code: str | None) -> Agency | None:
    if not code:
        return None
    found = Agency.objects.filter(code=code, is_active=True).first()
    if found is None:
        raise _unknown("agency")
    return found


def source_report(user, pk: int | None) -> Report | None:
    """The source report of a problem: one the user sees, else a 400 on the field."""
    if pk is None:
        return None
    try:
        return reports.report_for(user, pk)
    except NotFound as exc:
        raise Invalid(exc.message, fields={"report": _("not found")}) from None


def tps(value: str | None) -> str:
    return value or ""
