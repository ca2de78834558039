"""The instruction's routing applied to a problem: who is told of an event, and which new
problems wait in whose list. The rules are data (the instruction file's `routing:` section,
pantau/instruction/routing.py); this module only resolves them to people."""

from django.contrib.auth import get_user_model
from django.db.models import Q

from pantau.instruction.models import READABLE, Operation, Role
from pantau.instruction.routing import rules
from pantau.problems.models import LEVELS, Level, Problem, Status
from pantau.problems.owners import owner_at, responsible

SEATS = {"camat": Level.KECAMATAN, "coordinator": Level.KOORDINATOR, "bupati": Level.KABUPATEN}
SEAT_ROLES = {Role.CAMAT: "camat", Role.COORDINATOR: "coordinator", Role.BUPATI: "bupati"}


def _matches(rule: dict, problem: Problem) -> bool:
    return (not rule.get("levels") or problem.level in rule["levels"]) and (
        not rule.get("severity") or problem.severity in rule["severity"]
    )


def agency_members(agency) -> list:
    """The active accounts speaking for `agency`: its Kepala OPD and staff, or an external
    agency's accounts (by the account's agency or its position's)."""
    if agency is None:
        return []
    return list(
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(agency=agency) | Q(position__agency=agency, position__is_active=True))
        .distinct()
        .order_by("username")
    )


def _resolve(name: str, problem: Problem, *, previous_owner, agency) -> list:
    if name == "owner":
        return [problem.owner]
    if name == "previous_owner":
        return [previous_owner]
    if name == "reporter":
        return [problem.reporter]
    if name in SEATS:
        return [owner_at(SEATS[name], problem.region, problem.operation)]
    if name == "level_above":
        index = LEVELS.index(problem.level)
        if index + 1 >= len(LEVELS):
            return []
        return [responsible(LEVELS[index + 1], problem.region, problem.operation)]
    if name == "agency":
        return agency_members(agency)
    return []


def recipients(event: str, problem: Problem, *, actor, previous_owner=None, agency=None) -> list:
    """Whom the routing tells of `event` on `problem`, without `actor` (nobody is told of
    their own act) and without duplicates, in the order of the rules."""
    seen, users = set(), []
    for rule in rules(problem.operation, event):
        if not _matches(rule, problem):
            continue
        for name in rule["to"]:
            for user in _resolve(name, problem, previous_owner=previous_owner, agency=agency):
                if user is None or user.pk in seen or (actor is not None and user.pk == actor.pk):
                    continue
                seen.add(user.pk)
                users.append(user)
    return users


def waiting_to_verify_q(user) -> Q:
    """The new problems the routing puts in `user`'s list to verify (to be applied to what
    the user sees): those they own, and those whose create rules name their seat."""
    query = Q(status=Status.BARU, owner=user) if getattr(user, "pk", None) else Q(pk__in=[])
    seat = SEAT_ROLES.get(getattr(user, "role", None))
    if seat is None:
        return query
    operations = getattr(user, "_pantau_operations", None)
    if operations is None:  # once per request object, like the territory
        operations = list(Operation.objects.filter(status__in=READABLE).only("pk", "routing"))
        user._pantau_operations = operations
    for operation in operations:
        for rule in rules(operation, "create"):
            if not rule.get("waiting") or seat not in rule["to"]:
                continue
            match = Q(status=Status.BARU, operation=operation)
            if rule.get("levels"):
                match &= Q(level__in=rule["levels"])
            if rule.get("severity"):
                match &= Q(severity__in=rule["severity"])
            query |= match
    return query
