"""Reading the audit log: who may, and the filters of the audit page."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from pantau.accounts import access
from pantau.audit.models import AuditEntry


def entries_for(user) -> QuerySet[AuditEntry]:
    """The whole log for administrators and the Pj Bupati (access.can_view_audit), else nothing."""
    if not access.can_view_audit(user):
        return AuditEntry.objects.none()
    return AuditEntry.objects.order_by("-id")


def filter_entries(
    entries: QuerySet[AuditEntry],
    *,
    actor: str = "",
    action: str = "",
    object_type: str = "",
    object_id: str = "",
    region: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """Narrow `entries`. `action` "problem" matches every "problem.*"; `region` matches the
    region and everything under it; the dates are days in the project's time zone (WIB)."""
    if actor:
        entries = entries.filter(actor_username=actor)
    if action:
        entries = entries.filter(Q(action=action) | Q(action__startswith=action.rstrip(".") + "."))
    if object_type:
        entries = entries.filter(object_type=object_type)
    if object_id:
        entries = entries.filter(object_id=object_id)
    if region:
        entries = entries.filter(Q(region_code=region) | Q(region_code__startswith=region + "."))
    if date_from:
        entries = entries.filter(at__gte=_start_of_day(date_from))
    if date_to:
        entries = entries.filter(at__lt=_start_of_day(date_to + dt.timedelta(days=1)))
    return entries


def _start_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
