"""Reads of the problem inventory. Everything that depends on who asks starts from
`access.problems_for(user)`; what a user may do on a problem is decided here, once."""

import datetime as dt
import re

from django.contrib.auth import get_user_model
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pantau.accounts import access
from pantau.accounts.access import ProblemAction
from pantau.instruction.models import Agency, Role
from pantau.lib.errors import NotFound
from pantau.problems import actions, routing
from pantau.problems.actions import TRANSITIONS
from pantau.problems.models import (
    OPEN,
    SEVERITY_ORDER,
    Attachment,
    Level,
    Problem,
    ProblemEvent,
    Referral,
    Status,
)
from pantau.regions.models import Region

HANDLING = (Status.DIVERIFIKASI, Status.DITANGANI)


def available_actions(user, problem: Problem) -> list[ProblemAction]:
    """The actions `user` may take on `problem` now: allowed to them (`access.can_act`) and
    allowed from the problem's status (`TRANSITIONS`). The pages offer exactly these."""
    found = [
        ProblemAction(action)
        for action, (allowed_from, _to) in TRANSITIONS.items()
        if problem.status in allowed_from and access.can_act(user, problem, action)
    ]
    if ProblemAction.ESCALATE in found and actions.escalation_target(problem, user) is None:
        found.remove(ProblemAction.ESCALATE)  # nobody above
    if (
        ProblemAction.WITHDRAW in found
        and not problem.referrals.filter(withdrawn_at__isnull=True).exists()
    ):
        found.remove(ProblemAction.WITHDRAW)
    return found


def can_attach(user, problem: Problem) -> bool:
    return access.can_act(user, problem, ProblemAction.ATTACH)


def overdue_q(now: dt.datetime | None = None) -> Q:
    """Open and past the deadline that matters now (`Problem.due_at`), as a query."""
    now = now or timezone.now()
    return Q(status=Status.BARU, acknowledge_due_at__lt=now) | Q(
        status__in=HANDLING, resolve_due_at__lt=now
    )


def _escalated_here() -> Exists:
    """An escalation (by hand or by the deadline job) brought the problem to its level."""
    return Exists(
        ProblemEvent.objects.filter(
            problem=OuterRef("pk"),
            kind__in=[ProblemEvent.Kind.ESCALATE, ProblemEvent.Kind.OVERDUE],
            to_level=OuterRef("level"),
        )
    )


def _unanswered_referral(agency_id) -> Exists:
    return Exists(
        Referral.objects.filter(
            problem=OuterRef("pk"),
            agency_id=agency_id,
            answered_at__isnull=True,
            withdrawn_at__isnull=True,
        )
    )


# What waits for a user, in the order the home page lists it: key, label.
WAITING = (
    ("verify", gettext_lazy("To verify")),
    ("handle", gettext_lazy("To handle")),
    ("escalated", gettext_lazy("Escalated to you")),
    ("overdue", gettext_lazy("Overdue")),
    ("referred", gettext_lazy("Referred to your agency, not yet answered")),
)


def waiting_q(user, key: str, now: dt.datetime | None = None) -> Q | None:
    """The filter of one "waiting" list for `user` (applied to `problems_for(user)`), or None
    when that list does not apply to them."""
    level = access.user_level(user)
    if key == "verify" and level:
        # at their level, and what the routing puts in their list (a village's problem in
        # its camat's)
        return Q(status=Status.BARU, level=level) | routing.waiting_to_verify_q(user)
    if key == "handle" and level:
        return Q(status__in=HANDLING, level=level)
    if key == "escalated" and level:
        return Q(owner=user, status__in=OPEN) & Q(_escalated_here())
    if key == "overdue" and level:
        return overdue_q(now)
    agency_id = access.agency_of(user) if key == "referred" else None
    if agency_id:
        return Q(status__in=OPEN) & Q(_unanswered_referral(agency_id))
    return None


def escalation_target(user, problem: Problem) -> dict | None:
    """Whom `user`'s escalation of `problem` would reach: {"level", "owner", "name"}, named
    before the button is pressed; None when they may not escalate it."""
    if not access.can_act(user, problem, ProblemAction.ESCALATE) or not problem.is_open:
        return None
    target = actions.escalation_target(problem, user)
    if target is None:
        return None
    level, owner = target
    return {
        "level": level,
        "owner": owner.username if owner else None,
        "name": seat_name(owner, level),
    }


def seat_name(user, level: str) -> str:
    """How a receiver is named: their position's title, else their name, else the level."""
    if user is not None and user.position_id and user.position.title:
        return user.position.title
    if user is not None:
        return user.get_full_name()
    return str(dict(Level.choices).get(level, level))


def waiting_for(user, *, items: int = 3) -> list[dict]:
    """What waits for `user`: for each list that applies to them, its count and the first
    few problems (most urgent deadline first). One query for the counts, one per list shown."""
    now = timezone.now()
    queries = {key: waiting_q(user, key, now) for key, _label in WAITING}
    queries = {key: q for key, q in queries.items() if q is not None}
    if not queries:
        return []
    problems = access.problems_for(user)
    counts = problems.aggregate(**{key: Count("pk", filter=q) for key, q in queries.items()})
    result = []
    for key, label in WAITING:
        if key not in queries:
            continue
        if key == "referred" and not counts[key] and user.role != Role.AGENCY:
            continue  # an OPD's list of referrals only when something is referred to it
        first = []
        if counts[key]:
            first = list(
                with_list_relations(problems.filter(queries[key]))
                .annotate(due=_due_expression())
                .order_by("due", "pk")[:items]
            )
        result.append({"key": key, "label": label, "count": counts[key], "items": first})
    return result


def _due_expression() -> Case:
    return Case(
        When(status=Status.BARU, then="acknowledge_due_at"),
        default="resolve_due_at",
    )


def with_list_relations(problems: QuerySet[Problem]) -> QuerySet[Problem]:
    """What a list row shows, fetched with the problems (no query per row)."""
    return problems.select_related("region", "region__parent", "category", "owner")


def filter_problems(
    problems: QuerySet[Problem],
    *,
    user,
    status: str = "",
    level: str = "",
    severity: str = "",
    category=None,
    kecamatan: str = "",
    overdue: str = "",
    waiting: str = "",
    now: dt.datetime | None = None,
) -> QuerySet[Problem]:
    """Narrow a list of problems that already starts from `access.problems_for(user)`.
    `status` may also be "open"; `overdue` is "yes" or "no"; `waiting` one of WAITING."""
    now = now or timezone.now()
    if status == "open":
        problems = problems.filter(status__in=OPEN)
    elif status:
        problems = problems.filter(status=status)
    if level:
        problems = problems.filter(level=level)
    if severity:
        problems = problems.filter(severity=severity)
    if category is not None:
        problems = problems.filter(category=category)
    if kecamatan:
        problems = problems.filter(Region.subtree_q(kecamatan, "region__code"))
    if overdue == "yes":
        problems = problems.filter(overdue_q(now))
    elif overdue == "no":
        problems = problems.exclude(overdue_q(now))
    if waiting:
        query = waiting_q(user, waiting, now)
        problems = problems.filter(query) if query is not None else problems.none()
    return problems


def severity_rank() -> Case:
    """0 for the most severe (SEVERITY_ORDER), for ORDER BY."""
    return Case(
        *(When(severity=s, then=Value(rank)) for rank, s in enumerate(SEVERITY_ORDER)),
        default=Value(len(SEVERITY_ORDER)),
        output_field=IntegerField(),
    )


def referral_agencies(problem: Problem | None = None) -> QuerySet[Agency]:
    """Agencies a problem may be referred to: active ones with an account to receive it,
    external ones first, then the OPD; without those it is referred to now."""
    User = get_user_model()
    receives = Exists(User.objects.filter(agency=OuterRef("pk"), is_active=True)) | Exists(
        User.objects.filter(
            position__agency=OuterRef("pk"), position__is_active=True, is_active=True
        )
    )
    agencies = Agency.objects.filter(is_active=True).filter(receives)
    if problem is not None:
        agencies = agencies.exclude(
            pk__in=problem.referrals.filter(withdrawn_at__isnull=True).values("agency")
        )
    return agencies.annotate(
        external_first=Case(
            When(kind=Agency.Kind.EXTERNAL, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("external_first", "name")


def timeline(problem: Problem) -> QuerySet[ProblemEvent]:
    return problem.events.select_related("actor", "agency").order_by("at", "pk")


def referrals(problem: Problem) -> QuerySet[Referral]:
    """The current referrals (a withdrawn one is on the timeline only)."""
    return (
        problem.referrals.filter(withdrawn_at__isnull=True)
        .select_related("agency", "referred_by", "answered_by")
        .order_by("referred_at", "pk")
    )


def attachments(problem: Problem) -> QuerySet[Attachment]:
    return problem.attachments.select_related("uploaded_by").order_by("uploaded_at", "pk")


def attachment_for(user, pk) -> Attachment:
    """An attachment of a problem `user` may see; NotFound for missing and forbidden alike."""
    attachment = Attachment.objects.filter(pk=pk).first()
    if attachment is None:
        raise NotFound(_("Attachment not found."))
    access.get_problem(user, attachment.problem_id)
    return attachment


EXTENSIONS = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
}


def download_name(attachment: Attachment) -> str:
    """A file name safe to send back: letters, digits, dot, dash, underscore and spaces, with
    the extension of the type the file really is."""
    stem = attachment.name.rsplit(".", 1)[0] if "." in attachment.name else attachment.name
    stem = re.sub(r"[^\w\- ]+", "_", stem).strip(" ._")[:100] or "lampiran"
    return stem + EXTENSIONS.get(attachment.content_type, "")
