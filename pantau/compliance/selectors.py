"""Reporting compliance (kepatuhan pelaporan), counted the way DHIS2 counts reporting rates.

What is expected. The instruction file's `reporting:` rules (instruction.ReportingRule) say who
reports, on which days and before which deadlines (HH:MM, WIB). Every active user whose role is
the rule's role owes one report per *unit* of their territory -- a camat: their kecamatan; a
Kepala OPD: each kecamatan assigned to their agency; a coordinator: each kecamatan of their
cluster; a village account or field monitor: each of their regions -- for every deadline of
every day of the rule's stage (of every active stage when the rule names none). One (user, unit,
day, deadline) is one *slot*, one expected report. A seat without an active account expects
nothing (it shows up in the admin, not here). Two rules with the same deadline for the same
person and day are one slot (the longer grace wins).

What counts. A slot is filled by a report that the responsible user sent for the unit or for a
region inside it (a camat's report on one of their villages counts for their kecamatan; someone
else's report does not: the slot is the user's duty). Time is `received_at`, when the report
arrived (what DHIS2 counts), not when it says it was observed. For each user, unit and WIB day,
in deadline order:

1. on time: each slot takes the earliest unused report received after the previous deadline of
   that day (from the start of the day for the first) and at most `grace_minutes` after its own
   deadline;
2. late: each unused report of that day, in order, fills the last slot still empty whose
   deadline + grace had passed when it arrived: received, not on time;
3. missing: the slots still empty.

Each report fills at most one slot, so a report sent at 09:00 after a missed 07:00 deadline
counts, on time, for the 10:00 one (and the 07:00 one stays missing). A slot whose deadline +
grace is after `now` is not yet expected: it is neither counted nor listed as missing (it still
takes its report in step 1, so an early report is not taken as someone's late one).

reporting_rate = received / expected and on_time_rate = on_time / expected, None when nothing is
expected. Totals of a kecamatan, a cluster or the kabupaten are sums over the slots inside them.

Callers pass a region the user may see (`accounts.access.get_region`), or use `compliance_for`
which starts from the user. Everything is computed in Python from a fixed number of queries
(rules, stages, responsible users and their units, and the reports of the period), however many
kecamatan, deadlines and days.
"""

import bisect
import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from pantau.accounts import access
from pantau.figures import desk
from pantau.instruction.models import Cluster, Operation, ReportingRule, Role
from pantau.instruction.selectors import operation_for_region
from pantau.lib.clock import WIB
from pantau.lib.errors import Invalid, NotFound
from pantau.monitoring.models import Report
from pantau.regions.models import Level, Region

MAX_DAYS = 366  # the longest period asked at once (a whole operation is about three months)

ON_TIME, LATE, MISSING = "on_time", "late", "missing"


@dataclass
class Missing:
    """An expected report that has not arrived: who owes it, for where, due when."""

    username: str
    full_name: str
    region: str  # code
    region_name: str
    due_at: dt.datetime  # aware (the deadline, without the grace)


@dataclass
class Compliance:
    """Reporting compliance of one region (or cluster) over a period.

    `level` is the region's level (kabupaten, kecamatan, desa), "cluster" (then `region` is the
    cluster's code) or "territory" (the sum over a user's several regions; `region` is "").
    """

    region: str
    name: str = ""
    level: str = ""
    expected: int = 0
    received: int = 0
    on_time: int = 0
    children: list["Compliance"] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)  # in deadline order
    clusters: list["Compliance"] = field(default_factory=list)  # a kabupaten's, when asked

    @property
    def late(self) -> int:
        return self.received - self.on_time

    @property
    def reporting_rate(self) -> float | None:
        return self.received / self.expected if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.expected if self.expected else None


@dataclass(frozen=True)
class Unit:
    """One region for which one user owes reports."""

    user_id: int
    username: str
    full_name: str
    code: str
    name: str

    def holds(self, code: str) -> bool:
        return code == self.code or code.startswith(self.code + ".")


@dataclass
class Slot:
    """One expected report: `unit` owes a report by `due_at` (+ `grace`)."""

    unit: Unit
    due_at: dt.datetime
    grace: dt.timedelta
    rules: list[ReportingRule]
    expected: bool = True  # False: deadline + grace is still to come
    status: str = MISSING
    received_at: dt.datetime | None = None

    @property
    def closes_at(self) -> dt.datetime:
        return self.due_at + self.grace


def _within(code: str, roots: Iterable[str]) -> bool:
    return any(code == root or code.startswith(root + ".") for root in roots)


def _kecamatan_of(code: str) -> str | None:
    parts = code.split(".")
    return ".".join(parts[:3]) if len(parts) >= 3 else None


def _days(start: dt.date, end: dt.date):
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


@functools.lru_cache(maxsize=4096)  # called per unit, day and deadline: a few distinct values
def _wib(day: dt.date, hhmm: str = "00:00") -> dt.datetime:
    hour, minute = (int(part) for part in hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=WIB)


def check_period(start: dt.date, end: dt.date) -> None:
    """Refuse a period that ends before it starts, is longer than MAX_DAYS or lies outside
    the years 1970 to 2200 (Invalid)."""
    for name, day in (("since", start), ("until", end)):
        if not 1970 <= day.year <= 2200:
            raise Invalid(
                _("The date must be between the years 1970 and 2200."),
                fields={name: _("not a plausible date")},
            )
    if end < start:
        raise Invalid(
            _("The period ends before it starts."),
            fields={"until": _("on or after the start date")},
        )
    if (end - start).days >= MAX_DAYS:
        raise Invalid(
            _("Ask for at most %(n)d days at a time.") % {"n": MAX_DAYS},
            fields={"until": _("at most %(n)d days after the start") % {"n": MAX_DAYS}},
        )


def period(
    *,
    date: dt.date | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    now: dt.datetime | None = None,
) -> tuple[dt.date, dt.date]:
    """The WIB days asked for: `since`..`until` (either alone: that one day), else the one day
    `date`, else today; checked by `check_period`. The page and the API read it the same way."""
    first = since or until
    if first is not None:
        start, end = first, until or first
    else:
        start = end = date or (now or timezone.now()).astimezone(WIB).date()
    check_period(start, end)
    return start, end


def responsible_units(operation: Operation, roles: Iterable[str]) -> dict[str, list[Unit]]:
    """Per role, the (user, region) pairs that owe reports: the territory of every active user
    of that role in `operation` (`accounts.access.territories`, everyone at once)."""
    units: dict[str, list[Unit]] = defaultdict(list)
    roles = set(roles)
    if not roles:
        return units
    users = list(
        get_user_model()
        .objects.filter(is_active=True, is_superuser=False, role__in=roles)
        .select_related("position")
        .order_by("username")
    )
    found = access.territories(users, operation=operation)
    codes = sorted({code for t in found.values() for code in t.roots})
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    for user in users:
        for code in sorted(found[user.pk].roots):
            units[user.role].append(
                Unit(user.pk, user.username, user.get_full_name(), code, names.get(code, ""))
            )
    return units


def slots(
    *,
    operation: Operation,
    start: dt.date,
    end: dt.date,
    now: dt.datetime | None = None,
    within: Iterable[str] | None = None,
) -> list[Slot]:
    """Every slot of the WIB days `start`..`end` for units inside `within` (region codes; the
    operation's region when None), each marked on time, late or missing as the module says:
    the expected slots, the reports received, and the matching of the two."""
    now = now or timezone.now()
    roots = [operation.region.code] if within is None else list(within)
    if not roots:
        return []
    found = expected_slots(operation, schedule(operation, start, end), roots, now)
    if not found:
        return []
    match(found, received_reports(operation, found, start, end, now))
    return sorted(found, key=lambda s: (s.due_at, s.unit.code, s.unit.username))


def schedule(
    operation: Operation, start: dt.date, end: dt.date
) -> list[tuple[ReportingRule, set[dt.date]]]:
    """The active reporting rules of `operation`, each with its days among `start`..`end` (the
    days of its stage, of every active stage when it names none); rules without a day left out."""
    rules = list(
        ReportingRule.objects.filter(operation=operation, is_active=True)
        .select_related("stage")
        .order_by("order", "pk")
    )
    if not rules:
        return []
    stages = list(operation.stages.filter(is_active=True))

    def rule_days(rule: ReportingRule) -> set[dt.date]:
        own = rule.stage if rule.stage_id is not None else None
        if own is not None and not own.is_active:
            return set()
        spans = [own] if own is not None else stages
        return {
            day
            for stage in spans
            for day in _days(max(start, stage.starts_on), min(end, stage.ends_on))
        }

    found = [(rule, rule_days(rule)) for rule in rules]
    return [(rule, days) for rule, days in found if days]


def last_scheduled_day(operation: Operation, day: dt.date) -> dt.date | None:
    """The latest day on or before `day` on which some active rule expects reports (None: no
    such day): where a page outside the stages opens, rather than on a day that expects none."""
    first = min(operation.stages.values_list("starts_on", flat=True), default=None)
    if first is None or day < first:
        return None
    days = [d for _rule, found in schedule(operation, first, day) for d in found]
    return max(days, default=None)


def expected_slots(
    operation: Operation,
    rules: list[tuple[ReportingRule, set[dt.date]]],
    roots: list[str],
    now: dt.datetime,
) -> list[Slot]:
    """One slot per (unit inside `roots`, day, deadline) of the `rules` and their days; rules
    that share a deadline share the slot (the longer grace wins). `expected`: the deadline and
    its grace have passed at `now`."""
    if not rules:
        return []
    units = responsible_units(operation, {rule.role for rule, _days in rules})
    op_root = operation.region.code
    by_key: dict[tuple, Slot] = {}
    for rule, days in rules:
        grace = dt.timedelta(minutes=rule.grace_minutes)
        for unit in units.get(rule.role, ()):
            if not (_within(unit.code, [op_root]) and _within(unit.code, roots)):
                continue
            for day in days:
                for hhmm in rule.times:
                    due = _wib(day, hhmm)
                    slot = by_key.get((unit, due))
                    if slot is None:
                        by_key[(unit, due)] = Slot(unit=unit, due_at=due, grace=grace, rules=[rule])
                    else:
                        slot.rules.append(rule)
                        slot.grace = max(slot.grace, grace)
    for slot in by_key.values():
        slot.expected = slot.closes_at <= now
    return list(by_key.values())


Received = dict[int, list[tuple[str, dt.datetime]]]  # author id -> (region code, received at)


def received_reports(
    operation: Operation, found: list[Slot], start: dt.date, end: dt.date, now: dt.datetime
) -> Received:
    """The reports that the slots' users sent in the period (up to the last grace, not after
    `now`), in the order received: one query."""
    received: Received = defaultdict(list)
    max_grace = max(slot.grace for slot in found)
    first = _wib(start)
    last = min(_wib(end + dt.timedelta(days=1)) + max_grace, now)
    if last < first:
        return received
    for author_id, code, received_at in (
        Report.objects.filter(
            operation=operation,
            author_id__in={slot.unit.user_id for slot in found},
            received_at__gte=first,
            received_at__lte=last,
        )
        .order_by("received_at", "pk")
        .values_list("author_id", "region__code", "received_at")
    ):
        received[author_id].append((code, received_at))
    return received


def match(found: Iterable[Slot], received: Received) -> None:
    """Mark each slot on time, late or missing (the module's rules), per unit and WIB day in
    deadline order, from `received` in the order received. No query."""
    per_unit: dict[Unit, dict[dt.date, list[Slot]]] = defaultdict(lambda: defaultdict(list))
    for slot in found:
        per_unit[slot.unit][slot.due_at.astimezone(WIB).date()].append(slot)
    for unit, days in per_unit.items():
        # in the order received: each day looks only at its own stretch of it
        times = [t for code, t in received.get(unit.user_id, ()) if unit.holds(code)]
        used: set[int] = set()
        for day in sorted(days):
            _match_day(sorted(days[day], key=lambda s: s.due_at), day, times, used)


def _match_day(
    day_slots: list[Slot], day: dt.date, times: list[dt.datetime], used: set[int]
) -> None:
    """One unit's slots of one day (in deadline order) against its reports' times (sorted;
    `used`: the indexes already taken)."""
    first_i = bisect.bisect_left(times, _wib(day))
    last_close = bisect.bisect_right(times, max(s.closes_at for s in day_slots))
    day_last = bisect.bisect_left(times, _wib(day + dt.timedelta(days=1)))
    # 1. on time: the earliest unused report after the previous deadline, before the closing
    opens = _wib(day)
    for slot in day_slots:
        for i in range(first_i, last_close):
            t = times[i]
            if i in used or t > slot.closes_at:
                continue
            if t > opens or (slot is day_slots[0] and t >= opens):
                used.add(i)
                slot.status, slot.received_at = ON_TIME, t
                break
        opens = slot.due_at
    # 2. late: each unused report fills the last empty slot already closed when it arrived
    for i in range(first_i, day_last):
        t = times[i]
        if i in used:
            continue
        overdue = [s for s in day_slots if s.expected and s.status == MISSING and s.closes_at < t]
        if overdue:
            used.add(i)
            overdue[-1].status, overdue[-1].received_at = LATE, t


def _missing(slot: Slot) -> Missing:
    return Missing(
        username=slot.unit.username,
        full_name=slot.unit.full_name,
        region=slot.unit.code,
        region_name=slot.unit.name,
        due_at=slot.due_at,
    )


def _missing_key(m: Missing):
    return (m.due_at, m.region, m.username)


def _node(code: str, name: str, level: str, found: Iterable[Slot]) -> Compliance:
    node = Compliance(region=code, name=name, level=level)
    for slot in found:
        if not slot.expected:
            continue
        node.expected += 1
        if slot.status == MISSING:
            node.missing.append(_missing(slot))
        else:
            node.received += 1
            node.on_time += slot.status == ON_TIME
    node.missing.sort(key=_missing_key)
    return node


def _sum(code: str, name: str, level: str, parts: Iterable[Compliance]) -> Compliance:
    """A node that is the sum of `parts` (disjoint sets of slots): the same figures as `_node`
    over the union of their slots, without going through the slots again."""
    node = Compliance(region=code, name=name, level=level)
    for part in parts:
        node.expected += part.expected
        node.received += part.received
        node.on_time += part.on_time
        node.missing += part.missing
    node.missing.sort(key=_missing_key)
    return node


def _by_kecamatan(found: Iterable[Slot]) -> dict[str | None, list[Slot]]:
    grouped: dict[str | None, list[Slot]] = defaultdict(list)
    for slot in found:
        grouped[_kecamatan_of(slot.unit.code)].append(slot)
    return grouped


def _kecamatan_nodes(
    kecamatan: Iterable[Region], found: list[Slot] | None = None, *, grouped=None
) -> list[Compliance]:
    if grouped is None:
        grouped = _by_kecamatan(found or ())
    return [_node(k.code, k.name, k.level, grouped.get(k.code, ())) for k in kecamatan]


def _kabupaten_node(region: Region, found: list[Slot]) -> Compliance:
    """The kabupaten's node with a child per kecamatan, in one pass over `found`: the total is
    the sum of the children plus the slots of units outside every kecamatan (if any)."""
    kecamatan = list(
        Region.objects.filter(parent=region, level=Level.KECAMATAN)
        .defer("geometry")
        .order_by("name")
    )
    grouped = _by_kecamatan(found)
    children = _kecamatan_nodes(kecamatan, grouped=grouped)
    codes = {k.code for k in kecamatan}
    outside = (s for key, group in grouped.items() if key not in codes for s in group)
    rest = _node("", "", "", outside)
    node = _sum(region.code, region.name, region.level, [*children, rest])
    node.children = children
    return node


def compliance(
    *,
    region: Region,
    start: dt.date,
    end: dt.date,
    now: dt.datetime | None = None,
    operation: Operation | None = None,
) -> Compliance:
    """Compliance of `region` over the WIB days `start`..`end`, with a child per kecamatan
    when `region` is the kabupaten. `region` must be one the caller may see."""
    operation = operation or operation_for_region(region)
    if operation is None:
        return Compliance(region=region.code, name=region.name, level=region.level)
    found = slots(operation=operation, start=start, end=end, now=now, within=[region.code])
    if region.level == Level.KABUPATEN:
        return _kabupaten_node(region, found)
    return _node(region.code, region.name, region.level, found)


# a cluster's kecamatan, without their boundaries (parsing them is most of the cost otherwise)
_KECAMATAN = Prefetch("kecamatan", queryset=Region.objects.defer("geometry"))


def _cluster_nodes(
    clusters: list[Cluster], found: list[Slot], known: dict[str, Compliance] | None = None
) -> list[Compliance]:
    """A node per cluster, the sum of its kecamatan (those of `known`, already counted, are
    reused; the others are counted from `found`)."""
    known = dict(known or {})
    grouped = None
    nodes = []
    for cluster in clusters:
        children = []
        for kec in sorted(cluster.kecamatan.all(), key=lambda k: k.name):
            child = known.get(kec.code)
            if child is None:
                if grouped is None:
                    grouped = _by_kecamatan(found)
                child = known[kec.code] = _node(
                    kec.code, kec.name, kec.level, grouped.get(kec.code, ())
                )
            children.append(child)
        node = _sum(cluster.code, cluster.name, "cluster", children)
        node.children = children
        nodes.append(node)
    return nodes


def compliance_by_cluster(
    *,
    operation: Operation,
    start: dt.date,
    end: dt.date,
    now: dt.datetime | None = None,
    clusters: Iterable[Cluster] | None = None,
) -> list[tuple[Cluster, Compliance]]:
    """Per coordination cluster of `operation` (or of `clusters`), in the instruction's order:
    its compliance (level "cluster", `region` = the cluster's code) with a child per kecamatan."""
    if clusters is None:
        clusters = operation.clusters.all()
    clusters = list(clusters)
    prefetch_related_objects(clusters, _KECAMATAN)
    codes = sorted({k.code for c in clusters for k in c.kecamatan.all()})
    found = slots(operation=operation, start=start, end=end, now=now, within=codes)
    return list(zip(clusters, _cluster_nodes(clusters, found), strict=True))


@dataclass
class Scope:
    """What a user asked to see: a region, or by default their whole territory."""

    region: Region | None = None
    cluster: Cluster | None = None
    regions: list[Region] = field(default_factory=list)  # several roots (a Kepala OPD)


def scope_for(user, code: str | None = None, operation: Operation | None = None) -> Scope:
    """The region `code` if the user may see it (NotFound otherwise, as for a region that does
    not exist); without a code, the user's territory: the kabupaten for the Pj Bupati and an
    administrator, the cluster of an Asisten, the kecamatan of a camat, the regions of others."""
    if code:
        return Scope(region=access.get_region(user, code))
    if user.role == Role.COORDINATOR:
        visible = access.visible_clusters(user)
        if operation is not None:
            visible = visible.filter(operation=operation)
        clusters = list(visible.order_by("order", "pk")[:2])
        if len(clusters) == 1:
            return Scope(cluster=clusters[0])
    roots = list(access.top_regions(user).order_by("code"))
    if not roots:
        raise NotFound(_("Region not found, or outside your territory."))
    if len(roots) == 1:
        return Scope(region=roots[0])
    return Scope(regions=roots)


def choice_for(user, code: str | None, moment: dt.datetime, query) -> desk.Choice:
    """The operation shown (`figures.desk`) to `user` for `code` at `moment`: among those of
    the region asked, else of the user's territory (a cluster's: its operation's region)."""
    scope = scope_for(user, code)
    if scope.region is not None:
        region = scope.region
    elif scope.cluster is not None:
        region = scope.cluster.operation.region
    else:
        region = scope.regions[0]
    return desk.choose(region, moment, query)


def compliance_for(
    user,
    *,
    start: dt.date,
    end: dt.date,
    code: str | None = None,
    now: dt.datetime | None = None,
    clusters: bool = False,
    operation: Operation | None = None,
    scope: Scope | None = None,
) -> tuple[Compliance, Scope]:
    """What the compliance page and the API show `user` for `code` (their territory when None)
    over `start`..`end`: one node with its children (per kecamatan), and the scope it is of.
    With `clusters`, a kabupaten's node also carries a node per coordination cluster
    (`node.clusters`), derived from the same slots: they are computed once per request.
    `operation`: the one the desk chose (else each region's active one); `scope`: the
    `scope_for(user, code, operation)` the caller already has."""
    check_period(start, end)
    scope = scope or scope_for(user, code, operation)
    if scope.region is not None:
        region = scope.region
        operation = operation or operation_for_region(region)
        if operation is None or region.level != Level.KABUPATEN:
            node = compliance(region=region, start=start, end=end, now=now, operation=operation)
            return node, scope
        # the kabupaten: one pass over the slots gives the total, the kecamatan and the clusters
        kabupaten = slots(operation=operation, start=start, end=end, now=now, within=[region.code])
        node = _kabupaten_node(region, kabupaten)
        if clusters:
            in_order = list(operation.clusters.all())
            prefetch_related_objects(in_order, _KECAMATAN)
            known = {child.region: child for child in node.children}
            node.clusters = _cluster_nodes(in_order, kabupaten, known)
        return node, scope
    if scope.cluster is not None:
        cluster = scope.cluster
        ((_cluster, node),) = compliance_by_cluster(
            operation=cluster.operation, start=start, end=end, now=now, clusters=[cluster]
        )
        return node, scope
    # several roots (a Kepala OPD's kecamatan): the total over them, a child per root
    by_operation: dict[Operation, list[Region]] = defaultdict(list)
    for region in scope.regions:
        found_op = operation if operation is not None else operation_for_region(region)
        if found_op is not None:
            by_operation[found_op].append(region)
    found: list[Slot] = []
    for operation, regions in by_operation.items():
        codes = [r.code for r in regions]
        found += slots(operation=operation, start=start, end=end, now=now, within=codes)
    node = _node("", _("Your territory"), "territory", found)
    node.children = [
        _node(r.code, r.name, r.level, (s for s in found if _within(s.unit.code, [r.code])))
        for r in sorted(scope.regions, key=lambda r: r.name)
    ]
    return node, scope
