"""The API's lists. Each starts from what `accounts.access` (through the app selectors) lets the
caller see, then narrows it by the filters of the request."""

import datetime as dt

from django.db.models import F, QuerySet

from pantau.accounts import access
from pantau.instruction.models import Category, Checklist, Operation
from pantau.lib.clock import aware
from pantau.monitoring import selectors as report_selectors
from pantau.monitoring.models import Report
from pantau.problems import selectors as problem_selectors
from pantau.problems.models import Problem
from pantau.regions.models import Region


def regions(user, *, parent: str | None = None, level: str | None = None) -> QuerySet[Region]:
    found = access.visible_regions(user)
    if parent:
        found = found.filter(parent__code=parent)
    if level:
        found = found.filter(level=level)
    return (
        found.annotate(parent_code=F("parent__code"))
        .only("code", "name", "level", "parent_id")
        .order_by("code")
    )


def reports(
    user,
    *,
    region: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    status: str | None = None,
    operation: Operation | None = None,
) -> QuerySet[Report]:
    found = report_selectors.filter_reports(
        report_selectors.reports_for(user), kecamatan=region or "", situation=status or ""
    )
    if operation is not None:
        found = found.filter(operation=operation)
    if since is not None:
        found = found.filter(observed_at__gte=aware(since))
    if until is not None:
        found = found.filter(observed_at__lt=aware(until))
    return with_report_relations(found).order_by("-observed_at", "-id")


def with_report_relations(found: QuerySet[Report]) -> QuerySet[Report]:
    """What a report shows, fetched with it (no query per report)."""
    return found.select_related(
        "region", "operation", "stage", "checklist", "author"
    ).prefetch_related("photos")


def problems(
    user,
    *,
    status: str | None = None,
    level: str | None = None,
    severity: str | None = None,
    category: Category | None = None,
    region: str | None = None,
    overdue: bool | None = None,
    operation: Operation | None = None,
) -> QuerySet[Problem]:
    found = problem_selectors.filter_problems(
        access.problems_for(user),
        user=user,
        status=status or "",
        level=level or "",
        severity=severity or "",
        category=category,
        kecamatan=region or "",
        overdue={True: "yes", False: "no", None: ""}[overdue],
    )
    if operation is not None:
        found = found.filter(operation=operation)
    return with_problem_relations(found).order_by("-created_at", "-id")


def with_problem_relations(found: QuerySet[Problem]) -> QuerySet[Problem]:
    return problem_selectors.with_list_relations(found).select_related(
        "operation", "stage", "reporter"
    )


def checklists(stage: str | None = None, operation: Operation | None = None) -> QuerySet[Checklist]:
    found = Checklist.objects.filter(
        is_active=True, stage__in=report_selectors.stages()
    ).select_related("stage", "operation")
    if stage:
        found = found.filter(stage__code=stage)
    if operation is not None:
        found = found.filter(operation=operation)
    return found.order_by("stage__order", "order", "pk")
