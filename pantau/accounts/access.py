"""The one place that decides who may see and do what, by territory.

Every list, detail page, export and API call asks this module: start from `visible_regions(user)`
or `territory(user)`, or fetch one region with `get_region(user, code, action)`, which answers
"not found" for a region that is missing and for one that is outside the user's territory alike.
The nation (`Region.nation()`, code `ID`, the node above the provinces) is read only, and only by
a user whose territory is everything (`get_nation`, `sees_nation`); it is no row, so
`get_region` never returns it.

Problems follow the same territory, plus those referred to the user's agency; acting on one
(verify, escalate, resolve, ...) also needs the user's level to be at or above the problem's
(`can_act`).

Territory by role (the regions are subtrees: a kecamatan brings its villages and TPS):
  admin        everything
  bupati       the region of their operation (the kabupaten)
  coordinator  the kecamatan of the clusters their position coordinates
  camat        the kecamatan of their position
  opd          the kecamatan to which their agency is assigned in the instruction's annex
  village      the villages in their account's regions
  monitor      the regions assigned to their account
  agency       no region: only what is referred to their agency (the problem inventory)
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from pantau.instruction.models import READABLE, Assignment, Cluster, Operation, Position, Role
from pantau.lib.errors import Forbidden, NotFound
from pantau.lib.kept import Kept
from pantau.monitoring.models import Report
from pantau.periodic.models import PeriodicReport, Scope
from pantau.problems.models import LEVELS, OPEN, Problem, Referral
from pantau.problems.models import Level as ProblemLevel
from pantau.regions.models import NATION_CODE, Region, within


class Action(StrEnum):
    READ = "read"
    WRITE = "write"


# What each role may do inside its territory. Outside it, nobody but an admin may do anything.
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.BUPATI: frozenset(Action),
    Role.COORDINATOR: frozenset(Action),
    Role.CAMAT: frozenset(Action),
    Role.OPD: frozenset(Action),
    Role.VILLAGE: frozenset(Action),
    Role.MONITOR: frozenset(Action),
    Role.AGENCY: frozenset(),
}


@dataclass(frozen=True)
class Territory:
    """A set of subtrees of the region tree, named by their root codes."""

    everything: bool = False
    roots: frozenset[str] = frozenset()

    def contains(self, code: str) -> bool:
        if self.everything:
            return True
        return any(within(code, root) for root in self.roots)

    def holds_part_of(self, code: str) -> bool:
        """True when some of the territory lies inside the region `code` (strictly below it):
        the regions above a territory, seen through it (an Asisten's kabupaten)."""
        return any(root != code and within(root, code) for root in self.roots)

    def q(self, field: str = "code") -> Q:
        """A filter on `field` (a region code, e.g. "region__code") selecting this territory."""
        if self.everything:
            return Region.subtree_q(NATION_CODE, field)
        if not self.roots:
            return Q(pk__in=[])
        query = Q(**{f"{field}__in": sorted(self.roots)})
        for root in sorted(self.roots):
            query |= Q(**{f"{field}__startswith": root + "."})
        return query

    def q_by_level(self, column_of: Callable[[str], str | None]) -> Q:
        """The same territory where each level's code has a column of its own (the rollups'
        `prov`, `kab`, `code`): `column_of(root)` names the column holding codes of that
        root's level, None for a level every row is under."""
        if self.everything:
            return Q()
        query = Q(pk__in=[])
        for root in sorted(self.roots):
            column = column_of(root)
            if column is None:
                return Q()
            query |= Q(**{column: root})
        return query

    def __bool__(self) -> bool:
        return self.everything or bool(self.roots)


NOWHERE = Territory()
EVERYWHERE = Territory(everything=True)


# A user's territory, kept per process (pantau.lib.kept: forgotten here at once when the rows
# behind territories change, within its TTL in the other processes), by the user's own fields
# that it follows from: a changed role, position, agency or account is another key.
_kept_territories = Kept(
    "territory",
    models=(Operation, Position, Cluster, Assignment, Region),
    m2m=("accounts.User_regions",),
)


def territory_key(user) -> tuple | None:
    """What a user's territory follows from besides the instruction's rows (their id, role,
    position, agency and account state): a key for answers kept per user; None for nobody."""
    if not getattr(user, "pk", None) or not getattr(user, "is_authenticated", False):
        return None
    return (user.pk, user.role, user.position_id, user.agency_id, user.is_active, user.is_superuser)


def territory(user) -> Territory:
    """The regions `user` works in. Computed once per request object and kept on it, and kept
    for a few seconds per process (hundreds of requests a second ask it on voting day)."""
    cached = getattr(user, "_pantau_territory", None)
    if cached is None:
        pk = getattr(user, "pk", None)
        key = territory_key(user)
        if key is not None:
            cached = _kept_territories.get(key, lambda: territories([user])[pk])
            user._pantau_territory = cached
        else:
            cached = territories([user])[pk]
    return cached


def territories(
    users: Iterable, *, operation: Operation | None = None
) -> dict[int | None, Territory]:
    """The territory of each of `users` (by pk), by the rule of the module's table: one query
    per role among them, however many users (load `position` with them: `select_related`).

    Without `operation`: the readable operations (active or closed; a user holding a position:
    only its operation, if readable). With `operation`: inside that one operation, whatever its
    status (who works where in it; a user whose position is in another operation: nowhere)."""
    found: dict[int | None, Territory] = {}
    codes: dict[int, set[str]] = defaultdict(set)
    waiting: dict[str, list] = defaultdict(list)  # role -> users whose codes are to be read
    for user in users:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            found[user.pk] = NOWHERE
        elif user.is_superuser or user.role == Role.ADMIN:
            found[user.pk] = EVERYWHERE
        else:
            waiting[user.role].append(user)

    def position(user):
        return user.position if user.position_id and user.position.is_active else None

    def counts(user, operation_id: int, status: str) -> bool:
        """Whether the user's territory takes the regions of this operation."""
        held = position(user)
        if held is not None and held.operation_id != operation_id:
            return False
        return operation_id == operation.pk if operation else status in READABLE

    if waiting[Role.BUPATI]:
        operations = Operation.objects.filter(
            Q(pk=operation.pk) if operation else Q(status__in=READABLE)
        ).values_list("pk", "status", "region__code")
        for op_id, status, code in operations:
            for user in waiting[Role.BUPATI]:
                if counts(user, op_id, status):
                    codes[user.pk].add(code)
    by_position = defaultdict(list)
    for user in waiting[Role.COORDINATOR] + waiting[Role.CAMAT]:
        if position(user) is not None:
            by_position[user.position_id].append(user)
    if waiting[Role.COORDINATOR] and by_position:
        clusters = Cluster.objects.filter(coordinator_id__in=sorted(by_position)).values_list(
            "coordinator_id", "operation_id", "operation__status", "kecamatan__code"
        )
        for position_id, op_id, status, code in clusters:
            for user in by_position[position_id]:
                if user.role == Role.COORDINATOR and counts(user, op_id, status):
                    codes[user.pk].add(code)
    if waiting[Role.CAMAT] and by_position:
        # The code only: the region's boundary is a large JSON not needed per request.
        seats = Position.objects.filter(pk__in=sorted(by_position), region__isnull=False)
        for position_id, op_id, status, code in seats.values_list(
            "pk", "operation_id", "operation__status", "region__code"
        ):
            for user in by_position[position_id]:
                if user.role == Role.CAMAT and counts(user, op_id, status):
                    codes[user.pk].add(code)
    by_agency = defaultdict(list)
    for user in waiting[Role.OPD]:
        held = position(user)
        agency_id = (held.agency_id if held else None) or user.agency_id
        if agency_id:
            by_agency[agency_id].append(user)
    if by_agency:
        assigned = Assignment.objects.filter(agency_id__in=sorted(by_agency)).values_list(
            "agency_id", "operation_id", "operation__status", "kecamatan__code"
        )
        for agency_id, op_id, status, code in assigned:
            for user in by_agency[agency_id]:
                if counts(user, op_id, status):
                    codes[user.pk].add(code)
    with_regions = {u.pk: u for u in waiting[Role.VILLAGE] + waiting[Role.MONITOR]}
    if with_regions:
        through = with_regions[next(iter(with_regions))].regions.through
        for user_id, code in through.objects.filter(user_id__in=sorted(with_regions)).values_list(
            "user_id", "region__code"
        ):
            codes[user_id].add(code)
    for role_users in waiting.values():
        for user in role_users:
            roots = frozenset(codes[user.pk] - {None})
            found[user.pk] = Territory(roots=roots) if roots else NOWHERE
    return found


def allowed_actions(user) -> frozenset[Action]:
    """What the user may do at all; `can` adds the territory."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset(Action)
    return ROLE_ACTIONS.get(user.role, frozenset())


def can(user, action: Action, region: Region) -> bool:
    return action in allowed_actions(user) and territory(user).contains(region.code)


def visible_regions(user) -> QuerySet[Region]:
    if Action.READ not in allowed_actions(user):
        return Region.objects.none()
    return Region.objects.filter(territory(user).q())


def get_region(user, code: str, action: Action = Action.READ) -> Region:
    """The region `code` if `user` may `action` it; otherwise NotFound, whether it exists or not."""
    region = Region.objects.filter(code=code).first()
    if region is None or not can(user, action, region):
        raise NotFound(_("Region not found, or outside your territory."))
    return region


def sees_nation(user) -> bool:
    """May `user` open the nation (its figures, one row per province)? Only when their territory
    is everything (an administrator, a superuser)."""
    return Action.READ in allowed_actions(user) and territory(user).everything


def get_nation(user) -> Region:
    """The nation (an unsaved `Region.nation()`) if `user` may open it; otherwise the same
    NotFound as `get_region` gives for a region outside the territory."""
    if not sees_nation(user):
        raise NotFound(_("Region not found, or outside your territory."))
    return Region.nation()


def has_regions(user) -> bool:
    """Does `user` look at regions at all (the dashboard and compliance pages need some)? An
    external agency sees only what is referred to it: no region, so no such page."""
    terr = territory(user)
    return Action.READ in allowed_actions(user) and (terr.everything or bool(terr.roots))


def top_regions(user) -> QuerySet[Region]:
    """The roots of the user's territory (what their home page lists first)."""
    terr = territory(user)
    if terr.everything:
        return Region.objects.filter(operations__status__in=READABLE).distinct()
    return Region.objects.filter(code__in=terr.roots)


def visible_clusters(user) -> QuerySet[Cluster]:
    """Clusters whose every kecamatan the user sees, or that the user coordinates."""
    clusters = Cluster.objects.filter(operation__status__in=READABLE)
    terr = territory(user)
    if terr.everything:
        return clusters
    if user.role == Role.BUPATI:
        return clusters.filter(operation__region__code__in=terr.roots)
    if user.role == Role.COORDINATOR and user.position_id:  # their seat in each operation
        return clusters.filter(
            coordinator__code=user.position.code,
            operation__region__operations=user.position.operation_id,
        )
    return clusters.none()


def can_view_audit(user) -> bool:
    """The audit log is shown to administrators and the Pj Bupati."""
    return Action.READ in allowed_actions(user) and (
        user.is_superuser or user.role in (Role.ADMIN, Role.BUPATI)
    )


# The level of responsibility at which each role acts on problems.
ROLE_LEVEL: dict[str, str] = {
    Role.VILLAGE: ProblemLevel.DESA,
    Role.MONITOR: ProblemLevel.DESA,
    Role.CAMAT: ProblemLevel.KECAMATAN,
    Role.OPD: ProblemLevel.KECAMATAN,
    Role.COORDINATOR: ProblemLevel.KOORDINATOR,
    Role.BUPATI: ProblemLevel.KABUPATEN,
    Role.ADMIN: ProblemLevel.KABUPATEN,
}


class ProblemAction(StrEnum):
    VERIFY = "verify"
    START = "start"
    ESCALATE = "escalate"
    REFER = "refer"
    RESOLVE = "resolve"
    REJECT = "reject"
    DUPLICATE = "duplicate"
    REOPEN = "reopen"
    COMMENT = "comment"
    ANSWER = "answer"
    ATTACH = "attach"
    TAKE_OVER = "take_over"
    WITHDRAW = "withdraw"


# Actions anyone who sees the problem may take; the rest need the level (or, for an answer,
# the referral).
OPEN_TO_READERS = {ProblemAction.COMMENT, ProblemAction.ATTACH}
# The seats that may take a problem over to their own level.
TAKE_OVER_ROLES = (Role.CAMAT, Role.COORDINATOR, Role.BUPATI)


def problems_for(user) -> QuerySet[Problem]:
    """The problems `user` may see: inside the territory, or referred to their agency."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Problem.objects.none()
    terr = territory(user)
    query = terr.q("region__code") if terr else Q(pk__in=[])
    agency_id = agency_of(user)
    if agency_id:
        query |= Q(pk__in=_referred_to(agency_id))
    return Problem.objects.filter(query)


def agency_of(user) -> int | None:
    """The agency `user` speaks for (an external agency's account, a Kepala OPD or OPD staff):
    the account's agency, else its position's."""
    if user.agency_id:
        return user.agency_id
    if user.position_id and user.position.is_active:
        return user.position.agency_id
    return None


def _referred_to(agency_id):
    """Problems currently referred to the agency (a withdrawn referral gives no access)."""
    return Referral.objects.filter(agency_id=agency_id, withdrawn_at__isnull=True).values("problem")


def referred_only(user, problem: Problem) -> bool:
    """Does `user` see `problem` only because it is referred to their agency?"""
    if territory(user).contains(problem.region.code):
        return False
    agency_id = agency_of(user)
    return bool(
        agency_id
        and problem.referrals.filter(agency_id=agency_id, withdrawn_at__isnull=True).exists()
    )


def get_problem(user, pk) -> Problem:
    """The problem `pk` if `user` may see it; NotFound for missing and forbidden alike."""
    problem = problems_for(user).filter(pk=pk).select_related("region", "category").first()
    if problem is None:
        raise NotFound(_("Problem not found, or outside your territory."))
    return problem


def user_level(user) -> str | None:
    if user.is_superuser:
        return ProblemLevel.KABUPATEN
    return ROLE_LEVEL.get(user.role)


OPEN_STATUSES = tuple(OPEN)


def can_act(user, problem: Problem, action: ProblemAction) -> bool:
    """May `user` take `action` on `problem` (which they already see)? The state machine is
    the actions' business; this is about who and where."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if referred_only(user, problem):
        # An agency answers and comments while the problem is open; after, it only reads.
        return problem.status in OPEN_STATUSES and action in (
            ProblemAction.ANSWER,
            ProblemAction.COMMENT,
            ProblemAction.ATTACH,
        )
    if action in OPEN_TO_READERS:
        return problems_for(user).filter(pk=problem.pk).exists()
    if action == ProblemAction.ANSWER:
        agency_id = agency_of(user)
        return bool(
            agency_id
            and problem.referrals.filter(agency_id=agency_id, withdrawn_at__isnull=True).exists()
        )
    level = user_level(user)
    if level is None or not can(user, Action.WRITE, problem.region):
        return False
    if action == ProblemAction.TAKE_OVER:
        # A seat above the problem's level takes it to its own level.
        return user.role in TAKE_OVER_ROLES and _rank(level) > _rank(problem.level)
    return _rank(level) >= _rank(problem.level)


def _rank(level: str) -> int:
    """Where a responsibility level stands, from the village (0) up."""
    return LEVELS.index(ProblemLevel(level))


def acts_in_closed_operation(user, action: ProblemAction) -> bool:
    """The one act a closed operation still takes: the Pj Bupati reopening a problem."""
    return action == ProblemAction.REOPEN and getattr(user, "role", None) == Role.BUPATI


def require_act(user, problem: Problem, action: ProblemAction) -> None:
    if not can_act(user, problem, action):
        raise Forbidden(
            _(
                "You may not do this on this problem: it is above your level or "
                "outside your territory."
            ),
            code="forbidden",
        )


# Field reports: the territory, and always one's own.


def reports_for(user) -> QuerySet[Report]:
    """The reports `user` may see: inside their territory, and always their own."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Report.objects.none()
    query = Q(author=user)
    if Action.READ in allowed_actions(user):
        terr = territory(user)
        if terr:
            query |= terr.q("region__code")
    return Report.objects.filter(query)


def get_report(user, pk) -> Report:
    """The report `pk` if `user` may see it; NotFound for missing and forbidden alike."""
    report = (
        reports_for(user)
        .filter(pk=pk)
        .select_related("region", "region__parent", "stage", "checklist", "author", "operation")
        .first()
    )
    if report is None:
        raise NotFound(_("Report not found, or outside your territory."))
    return report


# Periodic reports (laporan berkala). Who may request, see and sign what:
#   kecamatan report   requested and seen by whoever's territory holds the kecamatan (admin, the Pj
#                      Bupati, the Asisten of its cluster, the camat); submitted by its camat
#   cluster report     requested and seen by admin, the Pj Bupati and the cluster's Asisten;
#                      submitted by that Asisten
#   kabupaten report   requested and seen by admin, the Pj Bupati and the three Asisten; submitted
#                      by any Asisten of the operation (the coordinators sign the desk's report)
#   receiving          the Pj Bupati only: the record proves what the regent received.
# The administrator requests and sees everything but neither submits nor receives: those are the
# officials' acts.

PERIODIC_REQUESTERS = (Role.ADMIN, Role.BUPATI, Role.COORDINATOR, Role.CAMAT)


def _is_admin(user) -> bool:
    return bool(user.is_superuser or user.role == Role.ADMIN)


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def may_cover_periodic(user, *, scope: str, region: Region, cluster: Cluster | None) -> bool:
    """May `user` request (and so see) a report of this scope on this region or cluster?"""
    if not _active(user) or Action.READ not in allowed_actions(user):
        return False
    if _is_admin(user):
        return True
    if user.role not in PERIODIC_REQUESTERS:
        return False
    if scope == Scope.KECAMATAN:
        return territory(user).contains(region.code)
    if scope == Scope.CLUSTER:
        return cluster is not None and visible_clusters(user).filter(pk=cluster.pk).exists()
    # kabupaten
    if user.role == Role.BUPATI:
        return territory(user).contains(region.code)
    if user.role == Role.COORDINATOR and user.position_id:
        return Cluster.objects.filter(
            coordinator_id=user.position_id, operation__region=region
        ).exists()
    return False


def periodic_reports_for(user) -> QuerySet[PeriodicReport]:
    """The periodic reports `user` may see."""
    if not _active(user):
        return PeriodicReport.objects.none()
    reports = PeriodicReport.objects.all()
    if _is_admin(user):
        return reports
    if user.role not in PERIODIC_REQUESTERS:
        return reports.none()
    terr = territory(user)
    query = Q(scope=Scope.KECAMATAN) & terr.q("region__code")
    query |= Q(scope=Scope.CLUSTER, cluster__in=visible_clusters(user))
    if user.role == Role.BUPATI:
        query |= Q(scope=Scope.KABUPATEN) & terr.q("region__code")
    if user.role == Role.COORDINATOR and user.position_id:
        query |= Q(
            scope=Scope.KABUPATEN,
            region__operations__clusters__coordinator_id=user.position_id,
        )
    if user.role == Role.CAMAT:
        query = Q(scope=Scope.KECAMATAN) & terr.q("region__code")
    return reports.filter(query).distinct()


def may_sign_periodic(user, report: PeriodicReport) -> bool:
    """The official who submits (signs) this report: see the module's docstring."""
    if not _active(user) or not user.position_id or not user.position.is_active:
        return False
    if report.scope == Scope.KECAMATAN:
        return user.role == Role.CAMAT and user.position.region_id == report.region_id
    if report.scope == Scope.CLUSTER:
        return (
            user.role == Role.COORDINATOR
            and report.cluster is not None
            and report.cluster.coordinator_id == user.position_id
        )
    return (
        user.role == Role.COORDINATOR
        and Cluster.objects.filter(
            operation=report.operation, coordinator_id=user.position_id
        ).exists()
    )


def may_receive_periodic(user, report: PeriodicReport) -> bool:
    return bool(
        _active(user)
        and user.role == Role.BUPATI
        and territory(user).contains(report.operation.region.code)
    )


def periodic_requestable_regions(user) -> QuerySet[Region]:
    """Kecamatan (and the kabupaten) the user may request a report for."""
    if not _active(user) or user.role not in PERIODIC_REQUESTERS and not _is_admin(user):
        return Region.objects.none()
    regions = visible_regions(user).filter(level__in=["kecamatan", "kabupaten"])
    if user.role == Role.COORDINATOR and user.position_id:
        kabupaten = Region.objects.filter(
            operations__clusters__coordinator_id=user.position_id
        ).values("pk")
        regions = Region.objects.filter(Q(pk__in=regions.values("pk")) | Q(pk__in=kabupaten))
    return regions.order_by("code").distinct()
