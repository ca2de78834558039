"""The one entry to the desk's numbers: `figures(scope, period, filters)`.

What a figure means is said here, as queries over the base rows (reports and problems): the
Stats of each child region (`Figures.stats`), the open problems by category, the problems
opened and resolved per day or hour (`Figures.series`), and the reporting compliance with the
rates seen through the user's territory (`Figures.compliance`, `Figures.reporting_rates`). The
dashboard, the periodic report and the API read their figures here and nowhere else.

Faster backends sit behind the same entry without changing an answer: the rollups
(`pantau.rollups.read`) answer the counts and the daily series where they can answer exactly,
else return None and the base rows answer. The reporting compliance is counted by the
compliance app (its slot matching is the definition of a reporting rate). Both are above this
module in the import graph, so they register themselves when Django starts (their AppConfig's
`ready`), and this module imports neither: see `register`.

A filter (`Filters`) narrows the reports and problems in one place (`Filters.reports`,
`Filters.problems`); a backend that does not key on a filter (`Filters.only`) returns None for
it, so a new filter is exact from the first day and the rollups can learn it later.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from typing import Any, cast

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Substr, TruncDay, TruncHour
from django.utils import timezone

from pantau.accounts import access
from pantau.figures.vocabulary import SEVERITIES, Stats, cached, start_of_today
from pantau.instruction.models import Category, Operation, Stage
from pantau.lib.clock import WIB, local_date
from pantau.monitoring.models import Report
from pantau.problems.models import OPEN, Problem, Status
from pantau.problems.selectors import overdue_q
from pantau.regions.models import Level, Region

EMPTY = Stats()  # nothing counted

# Backends, registered by the apps that provide them (see `register`).
COUNTS: list[Callable[["Selection", int], Any]] = []  # -> (stats, by_category) or None
SERIES: list[Callable[["Selection"], Any]] = []  # -> {day: {"opened", "resolved"}} or None
COMPLIANCE: list[Callable[..., Any]] = []  # (region, start, end, now) -> compliance node


def register(
    *,
    counts: Callable | None = None,
    series: Callable | None = None,
    compliance: Callable | None = None,
) -> None:
    """Put a backend behind `figures` (once: registering the same function again is a no-op)."""
    for found, fn in ((COUNTS, counts), (SERIES, series), (COMPLIANCE, compliance)):
        if fn is not None and fn not in found:
            found.append(fn)


@dataclass(frozen=True)
class Scope:
    """Who asks about which region, and when (`now`). `cache`: one dict per request, shared by
    every figure read in it (the dashboard page reads the kecamatan's figures for its summary
    and for its clusters: computed once)."""

    user: Any
    region: Region
    now: dt.datetime = field(default_factory=timezone.now)
    cache: dict = field(default_factory=dict, repr=False, compare=False, hash=False)


@dataclass(frozen=True)
class Period:
    """[since, until): when reports were observed and problems resolved; open problems are those
    open now and reported before `until`. None: unbounded."""

    since: dt.datetime | None = None
    until: dt.datetime | None = None


@dataclass(frozen=True)
class Filters:
    """What narrows the reports and problems counted (a new filter: a field here, its two
    lines in `reports` and `problems`, and its key in `key`)."""

    stage: Stage | None = None
    category: Category | None = None  # problems only: a report has no category
    operation: Operation | None = None

    def key(self) -> tuple:
        return tuple(getattr(getattr(self, f.name), "pk", None) for f in fields(self))

    def only(self, *names: str) -> bool:
        """Whether no filter other than `names` is set (what a backend keys on)."""
        return all(getattr(self, f.name) is None for f in fields(self) if f.name not in names)

    def reports(self, found: QuerySet[Report]) -> QuerySet[Report]:
        if self.stage:
            found = found.filter(stage=self.stage)
        if self.operation:
            found = found.filter(operation=self.operation)
        return found

    def problems(self, found: QuerySet[Problem]) -> QuerySet[Problem]:
        if self.stage:
            found = found.filter(stage=self.stage)
        if self.category:
            found = found.filter(category=self.category)
        if self.operation:
            found = found.filter(operation=self.operation)
        return found


@dataclass
class Selection:
    """A scope, a period and filters together: the rows a figure counts. What the backends
    read (`user`, `region`, `since`, `until`, `stage`, `category`, `now`, `cache`)."""

    scope: Scope
    period: Period = field(default_factory=Period)
    filters: Filters = field(default_factory=Filters)

    @classmethod
    def of(cls, user, region: Region, *, since=None, until=None, stage=None, category=None,
           operation=None, now=None, cache=None) -> "Selection":  # fmt: skip
        return cls(
            Scope(user, region, now or timezone.now(), {} if cache is None else cache),
            Period(since, until),
            Filters(stage=stage, category=category, operation=operation),
        )

    user = property(lambda self: self.scope.user)
    region = property(lambda self: self.scope.region)
    now = property(lambda self: self.scope.now)
    cache = property(lambda self: self.scope.cache)
    since = property(lambda self: self.period.since)
    until = property(lambda self: self.period.until)
    stage = property(lambda self: self.filters.stage)
    category = property(lambda self: self.filters.category)
    operation = property(lambda self: self.filters.operation)

    def key(self, *what) -> tuple:
        """The key in `cache` of what is computed for this selection: it names the user, the
        region, the period and the filters too (a request's cache is shared by selectors)."""
        user = getattr(self.user, "pk", None)
        return (
            *what,
            user,
            self.region.code,
            self.since,
            self.until,
            *self.filters.key(),
            self.now,
        )

    @property
    def end(self) -> dt.datetime:
        return min(self.until, self.now) if self.until else self.now

    def reports(self) -> QuerySet[Report]:
        """Reports inside the region and the territory, observed in the period."""
        terr = access.territory(self.user)
        if access.Action.READ not in access.allowed_actions(self.user) or not terr:
            return Report.objects.none()
        found = Report.objects.filter(self._inside(terr))
        if self.since:
            found = found.filter(observed_at__gte=self.since)
        if self.until:
            found = found.filter(observed_at__lt=self.until)
        return self.filters.reports(found)

    def problems(self) -> QuerySet[Problem]:
        """Problems inside the region and the territory (not the period: callers choose)."""
        terr = access.territory(self.user)
        if not terr:
            return Problem.objects.none()
        return self.filters.problems(access.problems_for(self.user).filter(self._inside(terr)))

    def _inside(self, terr) -> Q:
        """The region's subtree, inside the territory: the territory's own filter only where
        the region is not wholly inside it (the same condition twice makes PostgreSQL
        underestimate the rows by orders of magnitude and pick nested loops over every place
        instead of a LIMITed scan in time order)."""
        subtree = Region.subtree_q(self.region.code, "region__code")
        if terr.contains(self.region.code):
            return subtree
        return terr.q("region__code") & subtree

    def open_q(self) -> Q:
        query = Q(status__in=OPEN)
        if self.until:
            query &= Q(created_at__lt=self.until)
        return query

    def resolved_q(self) -> Q:
        query = Q(status=Status.SELESAI, resolved_at__isnull=False)
        if self.since:
            query &= Q(resolved_at__gte=self.since)
        if self.until:
            query &= Q(resolved_at__lt=self.until)
        return query


class Figures:
    """The figures of one selection; each computed once per request (the scope's cache)."""

    def __init__(self, selection: Selection) -> None:
        self.selection = selection

    def _fast_counts(self, length: int):
        sel = self.selection
        return cached(sel.cache, sel.key("rollups", length), lambda: _first(COUNTS, sel, length))

    def stats(self, length: int) -> dict[str, Stats]:
        """Stats per code prefix of `length` characters (the child region holding the place; a
        report or problem of the region itself is under the region's own code)."""

        def compute():
            found = self._fast_counts(length)
            stats = found[0] if found is not None else direct_stats(self.selection, length)
            # a region with nothing in the period has no entry, whichever way it was counted
            # (the rollups keep rows of other days; the base rows, problems closed before it)
            return {code: s for code, s in stats.items() if s != EMPTY}

        return cached(self.selection.cache, self.selection.key("stats", length), compute)

    def total(self, length: int) -> Stats:
        total = Stats()
        for s in self.stats(length).values():
            total.add(s)
        return total

    def by_category(self, length: int) -> dict[str, int]:
        """Open problems by category code."""
        found = self._fast_counts(length)
        return found[1] if found is not None else direct_by_category(self.selection)

    def series(self, *, hourly: bool) -> dict[dt.datetime, dict]:
        """Problems opened and resolved per WIB hour or day (its start, WIB) and category code:
        {moment: {"opened": {code: n}, "resolved": {code: n}}}."""
        if not hourly:
            daily = _first(SERIES, self.selection)
            if daily is not None:
                return {
                    dt.datetime.combine(day, dt.time.min, tzinfo=WIB): v for day, v in daily.items()
                }
        return direct_series(self.selection, TruncHour if hourly else TruncDay)

    def compliance(self, start: dt.date, end: dt.date):
        """The reporting compliance of the region (a kabupaten or kecamatan) over the WIB days
        `start`..`end` as the compliance app counts it, with a child per kecamatan; None where
        there is no such figure (another level, or the app is not installed)."""
        sel = self.selection
        if not COMPLIANCE or sel.region.level not in (Level.KABUPATEN, Level.KECAMATAN):
            return None
        key = ("compliance", sel.region.code, start, end, sel.now, *sel.filters.key())
        return cached(
            sel.cache,
            key,
            lambda: COMPLIANCE[0](
                region=sel.region, start=start, end=end, now=sel.now, operation=sel.operation
            ),
        )

    def reporting_rates(
        self, start: dt.datetime | None = None, end: dt.datetime | None = None
    ) -> tuple[float | None, dict[str, float | None]]:
        """The reporting rate of the region as far as the user sees it, and per kecamatan child
        (None where there is no figure), over the WIB days of [start, end): by default the
        period's, today when it has no start."""
        sel = self.selection
        start = start or sel.since or start_of_today(sel.now)
        end = end or sel.end
        first = local_date(start)
        last = max(first, local_date(end - dt.timedelta(microseconds=1)))
        result = self.compliance(first, last)
        if result is None:
            return None, {}
        terr = access.territory(sel.user)
        children = [c for c in result.children if terr.contains(_code(c))]
        per_child = {_code(c): c.reporting_rate for c in children}
        if terr.contains(sel.region.code):
            return result.reporting_rate, per_child
        expected = sum(c.expected for c in children)  # seen through the territory
        return (sum(c.received for c in children) / expected if expected else None), per_child


def figures(scope: Scope, period: Period | None = None, filters: Filters | None = None) -> Figures:
    """The figures of `scope`'s region as its user sees them, over `period`, narrowed by
    `filters` (see the module)."""
    return Figures(Selection(scope, period or Period(), filters or Filters()))


def _first(backends: list[Callable], *args):
    for backend in backends:
        found = backend(*args)
        if found is not None:
            return found
    return None


def _code(node) -> str:
    region = getattr(node, "region", "")
    return getattr(region, "code", region) or ""


# The specification: every figure from the base rows.


def latest_reports(reports: QuerySet[Report]) -> QuerySet[Report]:
    """The latest report of each place (region) among `reports`."""
    latest = reports.filter(region=OuterRef("region")).order_by("-observed_at", "-pk")
    return reports.filter(pk=Subquery(latest.values("pk")[:1]))


def direct_stats(sel: Selection, length: int) -> dict[str, Stats]:
    """Stats per code prefix of `length` characters, from the base rows. Three queries,
    whatever the number of children."""
    stats: dict[str, Stats] = defaultdict(Stats)
    key = Substr("region__code", 1, length)
    reports = sel.reports()
    for counted in reports.annotate(key=key).values("key").annotate(n=Count("pk")).order_by():
        stats[counted["key"]].reports = counted["n"]
    latest = latest_reports(reports).annotate(key=key).values("key", "situation")
    for place in latest.annotate(n=Count("pk")).order_by():
        stats[place["key"]].latest[place["situation"]] = place["n"]
    open_q = sel.open_q()
    today = start_of_today(sel.now)
    counts = {
        "open": Count("pk", filter=open_q),
        "overdue": Count("pk", filter=open_q & overdue_q(sel.now)),
        "resolved": Count("pk", filter=sel.resolved_q()),
        "resolved_today": Count("pk", filter=Q(status=Status.SELESAI, resolved_at__gte=today)),
        **{f"sev_{s}": Count("pk", filter=open_q & Q(severity=s)) for s in SEVERITIES},
    }
    problems = sel.problems().annotate(key=key).values("key").annotate(**counts).order_by()
    for row in cast(Iterable[dict[str, Any]], problems):
        s = stats[row["key"]]
        s.problems_open = row["open"]
        s.problems_overdue = row["overdue"]
        s.problems_resolved = row["resolved"]
        s.resolved_today = row["resolved_today"]
        s.by_severity = {sev: row[f"sev_{sev}"] for sev in SEVERITIES}
    return stats


def direct_by_category(sel: Selection) -> dict[str, int]:
    """Open problems by category code, from the base rows."""
    rows = (
        sel.problems()
        .filter(sel.open_q())
        .values("category__code")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["category__code"]: row["n"] for row in rows}


def direct_series(sel: Selection, trunc) -> dict[dt.datetime, dict]:
    """The time series from the base rows (bounded by the period when hourly)."""
    problems = sel.problems()
    opened = problems
    if sel.since:
        opened = opened.filter(created_at__gte=sel.since)
    if sel.until:
        opened = opened.filter(created_at__lt=sel.until)
    resolved = problems.filter(sel.resolved_q())
    rows: dict[dt.datetime, dict] = defaultdict(lambda: {"opened": {}, "resolved": {}})
    for name, found, moment in (
        ("opened", opened, "created_at"),
        ("resolved", resolved, "resolved_at"),
    ):
        grouped = (
            found.annotate(bucket=trunc(moment, tzinfo=WIB))
            .values("bucket", "category__code")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in grouped:
            bucket = timezone.localtime(row["bucket"], WIB)
            rows[bucket][name][row["category__code"]] = row["n"]
    return rows
