"""The API names things by their codes; these find the objects the actions take. An unknown code
is a 400 naming the field; a region or report outside the caller's territory is what
`accounts.access` says it is (not found)."""

from django.utils.translation import gettext as _

from pantau.instruction.models import READABLE, Agency, Category, Checklist, Operation, Stage
from pantau.lib.errors import Invalid, NotFound
from pantau.monitoring import selectors as reports
from pantau.monitoring.models import Report


def _unknown(field: str) -> Invalid:
    return Invalid(
        _("Unknown %(field)s code.") % {"field": field}, fields={field: _("unknown code")}
    )


def stage(code: str | None, operation: Operation) -> Stage | None:
    """The stage `code` of `operation` (a code repeats across operations)."""
    if not code:
        return None
    found = operation.stages.filter(code=code, is_active=True).first()
    if found is None:
        raise _unknown("stage")
    return found


def checklist(code: str | None, operation: Operation) -> Checklist | None:
    if not code:
        return None
    found = operation.checklists.filter(code=code, is_active=True).first()
    if found is None:
        raise _unknown("checklist")
    return found


def operation_filter(code: str | None) -> Operation | None:
    """The operation a list is narrowed to (`?operation=`): any but a draft."""
    if not code:
        return None
    found = Operation.objects.filter(code=code, status__in=READABLE).first()
    if found is None:
        raise _unknown("operation")
    return found


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
