"""The problem inventory: POST /problems, GET /problems, GET /problems/{id},
POST /problems/{id}/actions."""

from django.utils import timezone
from ninja import Path, Query, Router, Status

from pantau.accounts import access
from pantau.accounts.access import Action
from pantau.api import lookups, output, queries
from pantau.api.errors import errors
from pantau.api.schemas import ActionIn, Id, ProblemDetail, ProblemFilters, ProblemIn, ProblemPage
from pantau.instruction.selectors import operation_for
from pantau.lib.errors import PantauError
from pantau.lib.idempotency import sent_before
from pantau.problems.actions import do_create_problem, do_problem_action
from pantau.problems.models import Problem

router = Router(tags=["problems"])


@router.post(
    "", response={201: ProblemDetail, 200: ProblemDetail, **errors(400, 401, 404, 409, 413, 429)}
)
def create_problem(request, payload: ProblemIn):
    """Record a problem. 201 with the problem (status `baru`, its level, owner and deadline);
    the same `client_id` again answers 200 with the problem stored the first time."""
    user = request.auth
    region = access.get_region(user, payload.region, Action.WRITE)
    try:
        operation = operation_for(region, timezone.now(), payload.operation)
        stage = lookups.stage(payload.stage, operation)
    except PantauError:
        # a copy sent again, refused now (its operation closed since): the stored one answers
        prior = sent_before(Problem, payload.client_id, sender=user, sender_field="reporter_id")
        if prior is None:
            raise
        return Status(200, _detail(user, prior.pk))
    problem, created = do_create_problem(
        acting_user=user,
        client_id=payload.client_id,
        region=region,
        title=payload.title,
        description=payload.description,
        category=lookups.category(payload.category),
        severity=payload.severity,
        operation=operation,
        stage=stage,
        suggestion=payload.suggestion,
        report=lookups.source_report(user, payload.report),
        tps=lookups.tps(payload.tps),
        lat=payload.lat,
        lon=payload.lon,
    )
    return Status(201 if created else 200, _detail(user, problem.pk))


@router.get("", response={200: ProblemPage, **errors(400, 401)})
def list_problems(request, filters: Query[ProblemFilters]):
    """The problems the caller sees (their territory; for an external agency, those referred
    to it), newest first, 50 a page. `status` may be "open"; `overdue` is true or false."""
    found = queries.problems(
        request.auth,
        status=filters.status,
        level=filters.level,
        severity=filters.severity,
        category=lookups.category(filters.category),
        region=filters.region,
        overdue=filters.overdue,
        operation=lookups.operation_filter(filters.operation),
    )
    return output.page(request, found, filters.page, output.problem_row)


@router.get("/{id}", response={200: ProblemDetail, **errors(400, 401, 404)})
def get_problem(request, id: Path[Id]):
    """One problem with its timeline, referrals and the actions the caller may take now."""
    return _detail(request.auth, id)


@router.post(
    "/{id}/actions",
    response={200: ProblemDetail, **errors(400, 401, 403, 404, 409, 413, 429)},
)
def act_on_problem(request, id: Path[Id], payload: ActionIn):
    """Take an action on a problem. A transition the status does not allow is 409
    (code invalid_transition); a `version` other than the current one is 409 (code stale);
    above the caller's level, 403; outside their territory, 404."""
    do_problem_action(
        id,
        acting_user=request.auth,
        action=payload.action,
        note=payload.note,
        solution=payload.solution,
        suggestion=payload.suggestion,
        agency=lookups.agency(payload.agency),
        duplicate_of=payload.duplicate_of,
        expected_version=payload.version,
    )
    return _detail(request.auth, id)


def _detail(user, pk: int) -> dict:
    return output.problem_detail(user, access.get_problem(user, pk))
