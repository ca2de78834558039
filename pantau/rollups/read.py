"""The dashboard's figures from the rollups plus what happened after the watermark.

A backend of `pantau.figures.read` (registered by this app's AppConfig): `figures(selection,
length)` answers like `pantau.figures.read.direct_stats` (Stats per code prefix of `length`
characters) and `direct_by_category`, or None where the rollups cannot answer exactly and the
base rows answer:
- the rollups were never built;
- a filter they are not keyed on (they key on the stage and the category);
- a period with an end (`until`), or a start that is not a WIB midnight (the page's periods
  "today", "everything" are; a past stage or a date range end at a midnight but have an end);
- children below the kecamatan (a kecamatan's villages: bounded by one kecamatan's rows) or a
  territory of villages (a village head, a field monitor).

The nation (`Region.nation()`, depth 0): its children's figures are the provinces' rows (depth
1, keyed by `prov`: a province's code is as long as the nation's, so that is whatever the length
asked); its totals by category and its time series are its own rows (depth 0).

Exactness between runs: reports received after the watermark are added from the base rows (the
"tail", small: about one minute of reports); problems changed after it (`updated_at`) are added
as they are now and taken away as their snapshot counted them. Overdue = open problems whose
deadline falls on an earlier WIB day (tallies) plus those due today before now (snapshots,
index on status and due_at).
"""

import datetime as dt
from collections import defaultdict

from django.db.models import OuterRef, Q, Subquery, Sum
from django.utils import timezone

from pantau.accounts import access
from pantau.figures.vocabulary import SEVERITIES, SITUATIONS, Stats, cached, start_of_today
from pantau.instruction.models import Category
from pantau.lib.clock import WIB
from pantau.monitoring.models import Report
from pantau.problems.models import OPEN, Problem, Status
from pantau.rollups.compute import AREA_DEPTH, NATION_DEPTH, depth, due_of, watermark
from pantau.rollups.models import Metric, PlaceLatest, ProblemRow, Tally

# The column naming a region of each depth (0: the nation, no column: every row).
COLUMN = {NATION_DEPTH: None, 1: "prov", 2: "kab", 3: "code"}
ROW_COLUMN = {NATION_DEPTH: None, 1: "prov", 2: "kab", 3: "area"}


def _midnight(moment: dt.datetime) -> bool:
    local = timezone.localtime(moment, WIB)
    return local.time() == dt.time.min


def _plan(scope, length: int, *, days: bool = False):
    """Where to read, or None: (key depth, read depth, watermark). With `days` (the time
    series, which counts by day only) a period ending at a WIB midnight is answered too."""
    if not scope.filters.only("stage", "category"):
        return None
    if scope.since is not None and not _midnight(scope.since):
        return None
    if scope.until is not None and not (days and _midnight(scope.until)):
        return None
    if access.Action.READ not in access.allowed_actions(scope.user):
        return None
    terr = access.territory(scope.user)
    if not terr:
        return None
    region_depth = depth(scope.region.code)
    key_depth = region_depth if length <= len(scope.region.code) else region_depth + 1
    if region_depth == NATION_DEPTH:
        key_depth = 1  # its children: the provinces (a province's code is 2 chars too)
    if key_depth > AREA_DEPTH:
        return None
    read_depth = key_depth
    if not terr.everything:
        read_depth = max(key_depth, *(depth(r) for r in terr.roots))
        if read_depth > AREA_DEPTH:
            return None
    mark = _once(scope, "watermark", watermark)
    if mark is None:
        return None
    return key_depth, read_depth, mark


def _once(scope, name: str, compute):
    """What every read of a request asks alike (the watermark, the category codes, the problems
    changed after the watermark): once per request where the selectors share the scope's
    cache (the dashboard page shares one between summary, clusters and the time series)."""
    return cached(scope.cache, ("rollups", name), compute)


def _category_codes(scope) -> dict:
    return _once(scope, "codes", lambda: dict(Category.objects.values_list("pk", "code")))


def _changed_problems(scope, mark) -> list:
    return _once(
        scope,
        "changed",
        lambda: list(
            Problem.objects.filter(updated_at__gt=mark).order_by().values_list("pk", flat=True)
        ),
    )


def _where(scope, read_depth: int, columns: dict) -> Q:
    """Rows under the scope's region, inside the territory, at `read_depth`."""
    region = scope.region.code
    column = columns[depth(region)]
    query = Q(**{column: region}) if column else Q()
    return query & access.territory(scope.user).q_by_level(lambda root: columns[depth(root)])


def figures(scope, length: int):
    """(stats per key, open problems by category code) or None (see the module)."""
    plan = _plan(scope, length)
    if plan is None:
        return None
    key_depth, read_depth, mark = plan
    stage_key = scope.stage.pk if scope.stage else 0
    category_key = scope.category.pk if scope.category else 0
    now = scope.now
    today = start_of_today(now)
    today_day = today.date()
    since_day = timezone.localtime(scope.since, WIB).date() if scope.since else None
    in_period = Q(day__gte=since_day) if since_day else Q()

    tallies = Tally.objects.filter(
        _where(scope, read_depth, COLUMN),
        Q(metric__in=[Metric.REPORTS, Metric.LATEST], category_key=0)
        | Q(metric__in=[Metric.OPEN, Metric.DUE, Metric.SOLVED], category_key=category_key),
        depth=read_depth,
        stage_key=stage_key,
    )
    sums = {
        "reports": Sum("n", filter=Q(metric=Metric.REPORTS) & in_period),
        "overdue": Sum("n", filter=Q(metric=Metric.DUE, day__lt=today_day)),
        "resolved": Sum("n", filter=Q(metric=Metric.SOLVED) & in_period),
        "resolved_today": Sum("n", filter=Q(metric=Metric.SOLVED, day__gte=today_day)),
        **{
            f"lat_{s}": Sum("n", filter=Q(metric=Metric.LATEST, key=s) & in_period)
            for s in SITUATIONS
        },
        **{f"sev_{s}": Sum("n", filter=Q(metric=Metric.OPEN, key=s)) for s in SEVERITIES},
    }
    key_column = COLUMN[key_depth]
    assert key_column is not None  # the children of the nation are the provinces (depth 1)
    stats: dict[str, Stats] = defaultdict(Stats)
    for row in tallies.values(key_column).annotate(**sums).order_by():
        s = stats[row[key_column]]
        s.reports = row["reports"] or 0
        s.latest = {k: row[f"lat_{k}"] for k in SITUATIONS if row[f"lat_{k}"]}
        s.problems_overdue = row["overdue"] or 0
        s.problems_resolved = row["resolved"] or 0
        s.resolved_today = row["resolved_today"] or 0
        s.by_severity = {k: row[f"sev_{k}"] or 0 for k in SEVERITIES}
        s.problems_open = sum(s.by_severity.values())

    by_category: dict[str | None, int] = defaultdict(int)
    # totals only: the region's own rows where the territory holds it whole (fewer rows)
    terr = access.territory(scope.user)
    total_depth = depth(scope.region.code)
    if not terr.everything:
        total_depth = max(total_depth, *(depth(r) for r in terr.roots))
    open_rows = Tally.objects.filter(
        _where(scope, total_depth, COLUMN),
        depth=total_depth,
        stage_key=stage_key,
        metric=Metric.OPEN,
    )
    open_rows = (
        open_rows.filter(category_key=category_key)
        if category_key
        else open_rows.exclude(category_key=0)
    )
    codes = _category_codes(scope)
    for row in open_rows.values("category_key").annotate(n=Sum("n")).order_by():
        by_category[codes.get(row["category_key"])] += row["n"]

    # Snapshots due today, before now: overdue already.
    snapshots = _snapshot_rows(scope, read_depth)
    due_today = snapshots.filter(status__in=OPEN, due_at__gte=today, due_at__lt=now)
    for code in due_today.values_list(ROW_COLUMN[key_depth], flat=True):
        stats[code].problems_overdue += 1

    _add_report_tail(scope, length, mark, stats)
    _add_problem_tail(scope, length, mark, stats, by_category, snapshots, codes, today)

    for s in stats.values():
        s.latest = {k: n for k, n in s.latest.items() if n}
    return stats, {k: n for k, n in by_category.items() if n}


def _snapshot_rows(scope, read_depth: int):
    rows = ProblemRow.objects.filter(_where(scope, read_depth, ROW_COLUMN))
    if scope.stage:
        rows = rows.filter(stage_id=scope.stage.pk)
    if scope.category:
        rows = rows.filter(category_id=scope.category.pk)
    return rows


def _add_report_tail(scope, length, mark, stats) -> None:
    """Reports received after the watermark: their number, and the latest report of their
    places where they are newer than the rolled-up one."""
    tail = scope.reports().filter(received_at__gt=mark).order_by()  # index on received_at
    newest: dict[str, tuple] = {}
    for code, observed_at, pk, situation in tail.values_list(
        "region__code", "observed_at", "pk", "situation"
    ):
        stats[code[:length]].reports += 1
        if code not in newest or (observed_at, pk) > newest[code][:2]:
            newest[code] = (observed_at, pk, situation)
    if not newest:
        return
    stage_key = scope.stage.pk if scope.stage else 0
    rolled = {
        p.code: p for p in PlaceLatest.objects.filter(code__in=list(newest), stage_key=stage_key)
    }
    for code, (observed_at, pk, situation) in newest.items():
        old = rolled.get(code)
        if old is not None and (old.observed_at, old.report_id) > (observed_at, pk):
            continue
        latest = stats[code[:length]].latest
        if old is not None and (scope.since is None or old.observed_at >= scope.since):
            latest[old.situation] = latest.get(old.situation, 0) - 1
        latest[situation] = latest.get(situation, 0) + 1


def _marks(
    stats, by_category, sign, *, key, status, severity, category, due, resolved, scope, today
) -> None:
    s = stats[key]
    if status in OPEN:
        s.problems_open += sign
        s.by_severity[severity] += sign
        by_category[category] += sign
        if due is not None and due < scope.now:
            s.problems_overdue += sign
    elif status == Status.SELESAI and resolved is not None:
        if scope.since is None or resolved >= scope.since:
            s.problems_resolved += sign
        if resolved >= today:
            s.resolved_today += sign


def _add_problem_tail(scope, length, mark, stats, by_category, snapshots, codes, today) -> None:
    """Problems changed after the watermark: as they are now, minus as the tallies count them."""
    changed = _changed_problems(scope, mark)
    if not changed:
        return
    for p in (
        scope.problems()
        .filter(pk__in=changed)
        .values(
            "region__code",
            "status",
            "severity",
            "category__code",
            "acknowledge_due_at",
            "resolve_due_at",
            "resolved_at",
        )
    ):
        _marks(
            stats,
            by_category,
            1,
            key=p["region__code"][:length],
            status=p["status"],
            severity=p["severity"],
            category=p["category__code"],
            due=due_of(p["status"], p["acknowledge_due_at"], p["resolve_due_at"]),
            resolved=p["resolved_at"],
            scope=scope,
            today=today,
        )
    category_code = Category.objects.filter(pk=OuterRef("category_id")).values("code")[:1]
    for row in snapshots.filter(problem_id__in=changed).annotate(cat=Subquery(category_code)):
        _marks(
            stats,
            by_category,
            -1,
            key=row.code[:length],
            status=row.status,
            severity=row.severity,
            category=row.cat,
            due=row.due_at,
            resolved=row.resolved_at,
            scope=scope,
            today=today,
        )


def series(scope):
    """Problems opened (any state now) and resolved per WIB day and category code, as
    `pantau.figures.read.direct_series` counts them by day: {day: {"opened": {code: n},
    "resolved": {code: n}}}, or None where the rollups cannot answer (see `_plan`). One query on
    the tallies, plus the problems changed after the watermark."""
    plan = _plan(scope, len(scope.region.code), days=True)
    if plan is None:
        return None
    _key_depth, read_depth, mark = plan
    if depth(scope.region.code) == NATION_DEPTH:
        read_depth = NATION_DEPTH  # the nation's own rows (it is seen whole or not at all)
    first = timezone.localtime(scope.since, WIB).date() if scope.since else None
    end = timezone.localtime(scope.until, WIB).date() if scope.until else None
    rows = Tally.objects.filter(
        _where(scope, read_depth, COLUMN),
        depth=read_depth,
        stage_key=scope.stage.pk if scope.stage else 0,
        metric__in=[Metric.CREATED, Metric.SOLVED],
    )
    rows = (
        rows.filter(category_key=scope.category.pk)
        if scope.category
        else rows.exclude(category_key=0)
    )
    if first:
        rows = rows.filter(day__gte=first)
    if end:
        rows = rows.filter(day__lt=end)
    codes = _category_codes(scope)
    found: dict = defaultdict(lambda: {"opened": defaultdict(int), "resolved": defaultdict(int)})
    name = {Metric.CREATED: "opened", Metric.SOLVED: "resolved"}
    for row in rows.values("metric", "day", "category_key").annotate(n=Sum("n")).order_by():
        found[row["day"]][name[row["metric"]]][codes.get(row["category_key"])] += row["n"]

    def mark_one(sign, category, created, status, resolved):
        day = timezone.localtime(created, WIB).date()
        if (first is None or day >= first) and (end is None or day < end):
            found[day]["opened"][category] += sign
        if status == Status.SELESAI and resolved is not None:
            day = timezone.localtime(resolved, WIB).date()
            if (first is None or day >= first) and (end is None or day < end):
                found[day]["resolved"][category] += sign

    changed = _changed_problems(scope, mark)
    if changed:
        now_rows = scope.problems().filter(pk__in=changed)
        for category, created, status, resolved in now_rows.values_list(
            "category__code", "created_at", "status", "resolved_at"
        ):
            mark_one(1, category, created, status, resolved)
        for row in _snapshot_rows(scope, read_depth).filter(problem_id__in=changed):
            mark_one(-1, codes.get(row.category_id), row.created_at, row.status, row.resolved_at)
    result = {}
    for day, counts in found.items():
        kept = {k: {c: n for c, n in v.items() if n} for k, v in counts.items()}
        if kept["opened"] or kept["resolved"]:
            result[day] = kept
    return result


def reports_tail_size() -> int:
    mark = watermark()
    return Report.objects.filter(received_at__gt=mark).count() if mark else -1
