"""Objects as the API shows them (the schemas in schemas.py describe these dicts), and pages of
lists. What is shown was already chosen by `accounts.access` and the selectors."""

from collections.abc import Callable

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja.renderers import JSONRenderer

from pantau.monitoring.models import Report
from pantau.problems import selectors as problem_selectors
from pantau.problems.models import Problem
from pantau.regions.models import Region

PER_PAGE = 50


def page(request: HttpRequest, items: QuerySet, number: int, render: Callable) -> dict:
    """One page of `items` (PER_PAGE each) as {items, count, next}; `next` is the URL of the
    following page, with the same filters, or None on the last."""
    count = items.count()
    start = (number - 1) * PER_PAGE
    rows = [render(item) for item in items[start : start + PER_PAGE]] if start < count else []
    next_url = None
    if start + PER_PAGE < count:
        query = request.GET.copy()
        query["page"] = str(number + 1)
        next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
    return {"items": rows, "count": count, "next": next_url}


def region_detail(region: Region, *, geometry: bool) -> dict:
    centroid = None
    if region.centroid_lat is not None and region.centroid_lon is not None:
        centroid = [region.centroid_lat, region.centroid_lon]
    return {
        **region_row(region),
        "kind": region.kind,
        "title": region.title,
        "centroid": centroid,
        "geometry": region.geometry if geometry else None,
    }


def region_row(region: Region) -> dict:
    """A region; its parent's code is `parent_code` when the query annotated it."""
    parent = getattr(region, "parent_code", None)
    if parent is None and region.parent_id:
        parent = region.parent.code
    return {"code": region.code, "name": region.name, "level": region.level, "parent": parent}


def cluster_row(cluster) -> dict:
    """A cluster read through `instruction.selectors.with_coordinators` (its `holders`)."""
    position = cluster.coordinator
    holder = cluster.holders[0] if cluster.holders else None
    return {
        "id": cluster.pk,
        "code": cluster.code,
        "operation": cluster.operation.code,
        "name": cluster.name,
        "coordinator": {
            "username": holder.username if holder else None,
            "full_name": holder.get_full_name() if holder else None,
            "position": position.title,
        },
        "kecamatan": [k.code for k in cluster.kecamatan.all()],
    }


def answer(row: dict, status: int) -> HttpResponse:
    """`row` as the JSON answer, rendered as django-ninja renders, without ninja checking it
    against the operation's schema once more: for the ingest path, where that check cost more
    than the rendering (the fuzz test checks every answer against the schema)."""
    content = JSONRenderer().render(None, row, response_status=status)
    return HttpResponse(content, status=status, content_type="application/json; charset=utf-8")


def report_row(report: Report, *, new: bool = False) -> dict:
    """A report; `new` (just created) has no photos yet, no need to ask the database."""
    photos = [] if new else report.photos.all()
    return {
        "id": report.pk,
        "client_id": report.client_id,
        "region": report.region.code,
        "region_name": report.region.name,
        "tps": report.tps,
        "operation": report.operation.code,
        "stage": report.stage.code if report.stage_id else None,
        "checklist": report.checklist.code if report.checklist_id else None,
        "status": report.situation,
        "situation": report.situation,
        "observed_at": report.observed_at,
        "received_at": report.received_at,
        "channel": report.channel,
        "author": report.author.username,
        "narrative": report.narrative,
        "answers": report.answers or {},
        "checklist_complete": report.checklist_complete,
        "lat": report.lat,
        "lon": report.lon,
        "location_flagged": report.location_flagged,
        "photos": [{"id": p.pk, "status": p.status} for p in photos],
    }


def problem_row(problem: Problem, now=None) -> dict:
    now = now or timezone.now()
    return {
        "id": problem.pk,
        "client_id": problem.client_id,
        "title": problem.title,
        "description": problem.description,
        "category": problem.category.code,
        "severity": problem.severity,
        "region": problem.region.code,
        "region_name": problem.region.name,
        "tps": problem.tps,
        "operation": problem.operation.code,
        "stage": problem.stage.code if problem.stage_id else None,
        "report": problem.report_id,
        "reporter": problem.reporter.username,
        "suggestion": problem.suggestion,
        "solution": problem.solution,
        "status": problem.status,
        "level": problem.level,
        "owner": problem.owner.username if problem.owner_id else None,
        "due_at": problem.due_at(),
        "overdue": problem.is_overdue(now),
        "acknowledge_due_at": problem.acknowledge_due_at,
        "resolve_due_at": problem.resolve_due_at,
        "duplicate_of": problem.duplicate_of_id,
        "version": problem.version,
        "created_at": problem.created_at,
        "updated_at": problem.updated_at,
        "resolved_at": problem.resolved_at,
        "lat": problem.lat,
        "lon": problem.lon,
    }


def problem_detail(user, problem: Problem) -> dict:
    return {
        **problem_row(problem),
        "events": [
            {
                "at": e.at,
                "actor": e.actor.username if e.actor_id else None,
                "kind": e.kind,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "from_level": e.from_level,
                "to_level": e.to_level,
                "note": e.note,
                "agency": e.agency.code if e.agency_id else None,
            }
            for e in problem_selectors.timeline(problem)
        ],
        "referrals": [
            {
                "agency": r.agency.code,
                "agency_name": r.agency.name,
                "referred_by": r.referred_by.username,
                "referred_at": r.referred_at,
                "note": r.note,
                "answer": r.answer,
                "answered_by": r.answered_by.username if r.answered_by_id else None,
                "answered_at": r.answered_at,
            }
            for r in problem_selectors.referrals(problem)
        ],
        "actions": [a.value for a in problem_selectors.available_actions(user, problem)],
        "escalate": problem_selectors.escalation_target(user, problem),
    }
