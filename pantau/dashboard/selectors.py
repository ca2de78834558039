"""The desk's dashboard as reads: the situation of a region, its figures and its children's,
the clusters side by side, the time series, the feed of critical events and the map.

Every figure starts from `accounts.access`: the region is fetched with `dashboard_region` (a
region of the territory, or an ancestor of it seen through the territory, e.g. the kabupaten as
an Asisten sees it: only their eight kecamatan), and reports and problems are always narrowed to
the user's territory. The numbers come from the desk's one read model,
`pantau.figures.read.figures` (its direct queries are their specification, the rollups a faster
backend behind it); this module shapes them for the page and the API.

The period [since, until) applies to what happens: reports observed, problems resolved, the
time series and the feed. Open problems are those open now and reported before `until`.
"""

import datetime as dt

from django.db.models import Max, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pantau.accounts import access
from pantau.figures.read import Figures, Selection
from pantau.figures.vocabulary import (  # noqa: F401 - the dashboard's vocabulary, said once
    SEVERITIES,
    SITUATION_LABELS,
    SITUATION_RULE,
    SITUATIONS,
    UNKNOWN,
    Stats,
    cached,
    situation,
    start_of_today,
)
from pantau.instruction.models import READABLE, Category, Operation, Stage
from pantau.lib.clock import WIB
from pantau.lib.errors import NotFound
from pantau.monitoring.models import Report
from pantau.problems.models import OPEN, Problem, ProblemEvent, Severity
from pantau.regions.models import NATION_CODE, Level, Region, parent_code

FEED_SIZE = 20
MARKERS = 300
MAX_BUCKETS = 60


# Which region, seen through which territory.


def dashboard_region(user, code: str | None = None) -> Region:
    """The region whose dashboard `user` opens: `code` if it is in the territory or an ancestor
    of it (then seen through the territory), the nation (`NATION_CODE`) for a user whose
    territory is everything, else NotFound; without a code, the user's top region (the kabupaten
    for the Pj Bupati and an Asisten, a camat's kecamatan; for an administrator the active
    operation's region when there is one, else the nation when the tree has several provinces
    or no operation is active)."""
    terr = access.territory(user)
    if code == NATION_CODE:
        return access.get_nation(user)
    if code is None:
        roots = list(access.top_regions(user).order_by("code"))
        if len(roots) == 1:
            return roots[0]
        if access.sees_nation(user) and (
            not roots or Region.objects.filter(level=Level.PROVINSI)[:2].count() > 1
        ):
            return access.get_nation(user)
        parents = {r.parent_id for r in roots}
        if len(parents) == 1 and None not in parents:
            return Region.objects.get(pk=parents.pop())
        if roots:
            return roots[0]
        raise NotFound(_("Region not found, or outside your territory."))
    try:
        return access.get_region(user, code)
    except NotFound:
        if access.Action.READ in access.allowed_actions(user) and terr.holds_part_of(code):
            region = Region.objects.filter(code=code).first()
            if region is not None:
                return region
        raise


def _select(user, region, since, until, stage, category, now, cache=None, operation=None):
    return Selection.of(
        user,
        region,
        since=since,
        until=until,
        stage=stage,
        category=category,
        operation=operation,
        now=now,
        cache=cache,
    )


def _figures(user, region, since, until, stage, category, now, cache, operation=None) -> Figures:
    """The figures (pantau.figures.read) of the region as the user sees it."""
    return Figures(_select(user, region, since, until, stage, category, now, cache, operation))


def children_of(user, region: Region) -> QuerySet[Region]:
    """The children of `region` that `user` sees (an Asisten on the kabupaten: their cluster's
    kecamatan; above the territory: the regions that hold it; the nation's: the provinces)."""
    if access.Action.READ not in access.allowed_actions(user):
        return Region.objects.none()
    terr = access.territory(user)
    above = {code for root in terr.roots for code in _ancestor_codes(root)}
    under = Q(parent__isnull=True, level=Level.PROVINSI) if region.is_nation else Q(parent=region)
    return (
        Region.objects.filter(terr.q() | Q(code__in=sorted(above)), under)
        .defer("geometry")
        .order_by("name")
    )


def _ancestor_codes(code: str) -> list[str]:
    codes, code = [], parent_code(code)
    while code:
        codes.append(code)
        code = parent_code(code)
    return codes


def _region_out(region: Region) -> dict:
    return {"code": region.code, "name": region.name, "level": region.level, "title": region.title}


def summary(
    *,
    user,
    region: Region,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    stage: Stage | None = None,
    category: Category | None = None,
    operation: Operation | None = None,
    now: dt.datetime | None = None,
    cache: dict | None = None,
) -> dict:
    """The figures of `region` as `user` sees it: the API's /dashboard shape. `cache`: one
    dict per request shared with `clusters` (the kecamatan's figures are computed once)."""
    now = now or timezone.now()
    found = _figures(user, region, since, until, stage, category, now, cache, operation)
    children = list(children_of(user, region))
    length = len(children[0].code) if children else len(region.code)
    stats = found.stats(length)
    total = found.total(length)
    rate, rates = found.reporting_rates()
    return {
        "region": _region_out(region),
        "since": since,
        "until": until,
        "situation": total.situation,
        "reporting_rate": rate,
        "totals": {
            "reports": total.reports,
            "problems_open": total.problems_open,
            "problems_overdue": total.problems_overdue,
            "problems_resolved": total.problems_resolved,
        },
        "by_severity": total.by_severity,
        "by_category": found.by_category(length),
        "children": [_child_row(c, stats.get(c.code) or Stats(), rates) for c in children],
    }


def _child_row(child: Region, s: Stats, rates: dict) -> dict:
    return {
        "code": child.code,
        "name": child.name,
        "level": child.level,
        "situation": s.situation,
        "reports": s.reports,
        "problems_open": s.problems_open,
        "problems_overdue": s.problems_overdue,
        "problems_resolved": s.problems_resolved,
        "resolved_today": s.resolved_today,
        "by_severity": s.by_severity,
        "reporting_rate": rates.get(child.code),
    }


def clusters(
    *,
    user,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    stage: Stage | None = None,
    category: Category | None = None,
    operation: Operation | None = None,
    now: dt.datetime | None = None,
    cache: dict | None = None,
) -> list[dict]:
    """The coordination clusters the user sees, each with its kecamatan's figures (resolved
    and reporting rate: today). Without a cluster (a camat, an OPD head): one group of the
    kecamatan they see. With the `cache` that `summary` filled for the same request and
    region, the kecamatan's figures and rates are not computed again."""
    now = now or timezone.now()
    visible_clusters = access.visible_clusters(user)
    if operation is not None:
        visible_clusters = visible_clusters.filter(operation=operation)
    found = list(
        visible_clusters.select_related("coordinator", "operation__region")
        .defer("operation__region__geometry")
        .prefetch_related(Prefetch("kecamatan", queryset=Region.objects.defer("geometry")))
        .order_by("order", "pk")
    )
    if found:
        groups = [
            (c.code, c.name, c.coordinator.title, sorted(c.kecamatan.all(), key=_name))
            for c in found
        ]
        parent = found[0].operation.region
    else:
        kecamatan = list(
            access.visible_regions(user)
            .filter(level=Level.KECAMATAN)
            .defer("geometry")
            .select_related("parent")
        )
        if not kecamatan:
            return []
        groups = [("", _("Your kecamatan"), "", sorted(kecamatan, key=_name))]
        parent = kecamatan[0].parent
    visible = access.territory(user)
    found = _figures(user, parent, since, until, stage, category, now, cache, operation)
    stats = found.stats(len(groups[0][3][0].code) if groups[0][3] else 8)
    _rate, rates = found.reporting_rates(start_of_today(now), now)  # today's
    return [
        {
            "code": code,
            "name": name,
            "coordinator": coordinator,
            "kecamatan": [
                {"url_code": k.code, **_child_row(k, stats.get(k.code) or Stats(), rates)}
                for k in members
                if visible.contains(k.code)
            ],
        }
        for code, name, coordinator, members in groups
    ]


def _name(region: Region) -> str:
    return region.name


def timeseries(
    *,
    user,
    region: Region,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    stage: Stage | None = None,
    category: Category | None = None,
    operation: Operation | None = None,
    now: dt.datetime | None = None,
    cache: dict | None = None,
) -> dict:
    """Problems opened and resolved per day (per hour when the period is at most two days),
    by category: {"unit", "buckets": [{"start", "opened": {cat: n}, "resolved": {cat: n},
    "opened_total", "resolved_total"}], "max"}. Without a period: the last 60 days that have
    any. Two queries. `cache`: the request's, as for `summary`."""
    now = now or timezone.now()
    found = _figures(user, region, since, until, stage, category, now, cache, operation)
    scope = found.selection
    hourly = since is not None and scope.end - since <= dt.timedelta(days=2)
    step = dt.timedelta(hours=1) if hourly else dt.timedelta(days=1)
    rows = found.series(hourly=hourly)
    if since:
        first = timezone.localtime(since, WIB)
        first = first.replace(minute=0, second=0, microsecond=0)
        if not hourly:
            first = first.replace(hour=0)
        last = (
            max([timezone.localtime(scope.end, WIB), *rows])
            if rows
            else timezone.localtime(scope.end, WIB)
        )
    elif rows:
        first, last = min(rows), max(rows)
    else:
        return {"unit": "hour" if hourly else "day", "buckets": [], "max": 0}
    buckets = []
    moment = first
    while moment <= last:
        row = rows.get(moment, {"opened": {}, "resolved": {}})
        buckets.append(
            {
                "start": moment,
                "opened": row["opened"],
                "resolved": row["resolved"],
                "opened_total": sum(row["opened"].values()),
                "resolved_total": sum(row["resolved"].values()),
            }
        )
        moment = _next(moment, step)
    buckets = buckets[-MAX_BUCKETS:]
    peak = max((max(b["opened_total"], b["resolved_total"]) for b in buckets), default=0)
    return {"unit": "hour" if hourly else "day", "buckets": buckets, "max": peak}


def _next(moment: dt.datetime, step: dt.timedelta) -> dt.datetime:
    # WIB has no daylight saving time: adding a day or an hour is exact.
    return moment + step


CRITICAL = (Severity.KRITIS, Severity.TINGGI)
# What the feed and the latest lists do not show: the checklist answers and the place's boundary
# (JSON, decoded per row: a village's boundary is a few kB).
REPORT_DEFER = ("answers", "region__geometry")
WINDOWS = (dt.timedelta(days=1), dt.timedelta(days=7), dt.timedelta(days=31))


def newest(queryset: QuerySet, base: QuerySet, field: str, size: int) -> list:
    """The `size` newest rows of `queryset` (by `field`, then pk), `queryset` being `base`
    narrowed to a region. Looks first in windows of a day, a week, a month before the newest
    row of `base` (one index lookup): inside a window PostgreSQL reads each place's few rows
    through its (region, time) index, whatever the size of the region, where a plain ORDER BY
    ... LIMIT either sorts all of a large region's rows or walks the whole table's time index
    for a small one. Rows outside a window are older than every row inside it, so a window
    holding `size` rows holds the answer."""
    order = (f"-{field}", "-pk")
    top = base.order_by().aggregate(top=Max(field))["top"]
    if top is None:
        return []
    for window in WINDOWS:
        found = list(queryset.filter(**{f"{field}__gte": top - window}).order_by(*order)[:size])
        if len(found) >= size:
            return found
    return list(queryset.order_by(*order)[:size])


def feed(
    *,
    user,
    region: Region,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    stage: Stage | None = None,
    category: Category | None = None,
    operation: Operation | None = None,
    now: dt.datetime | None = None,
    size: int = FEED_SIZE,
) -> list[dict]:
    """The latest critical events, newest first: what happened to critical and high problems,
    deadlines passed (any severity), and reports that say rawan. Two queries."""
    scope = _select(user, region, since, until, stage, category, now, operation=operation)
    events = ProblemEvent.objects.filter(
        Q(problem__severity__in=CRITICAL) | Q(kind=ProblemEvent.Kind.OVERDUE),
        problem__in=scope.problems(),
    ).exclude(kind__in=[ProblemEvent.Kind.COMMENT, ProblemEvent.Kind.ATTACH])
    if since:
        events = events.filter(at__gte=since)
    if until:
        events = events.filter(at__lt=until)
    items = [
        {
            "kind": "problem",
            "event": e.kind,
            "label": e.get_kind_display(),
            "at": e.at,
            "severity": e.problem.severity,
            "title": f"#{e.problem_id} {e.problem.title}",
            "region": e.problem.region.name,
            "url": e.problem.get_absolute_url(),
        }
        for e in events.select_related("problem__region")
        .defer("problem__region__geometry", "problem__description")
        .order_by("-at", "-pk")[:size]
    ]
    reports = newest(
        scope.reports().filter(situation="rawan").select_related("region").defer(*REPORT_DEFER),
        Report.objects.filter(situation="rawan"),
        "observed_at",
        size,
    )
    items += [
        {
            "kind": "report",
            "event": "rawan",
            "label": SITUATION_LABELS["rawan"],
            "at": r.observed_at,
            "severity": "",
            "title": (r.narrative[:120] or r.region.title),
            "region": r.region.name,
            "url": r.get_absolute_url(),
        }
        for r in reports
    ]
    items.sort(key=lambda item: item["at"], reverse=True)
    return items[:size]


def latest(
    *,
    user,
    region: Region,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    stage: Stage | None = None,
    category: Category | None = None,
    operation: Operation | None = None,
    now: dt.datetime | None = None,
    size: int = 10,
) -> dict:
    """The latest reports and the open problems (most severe first) of the region."""
    scope = _select(user, region, since, until, stage, category, now, operation=operation)
    reports = scope.reports().select_related("region").defer(*REPORT_DEFER)
    reports = newest(reports, Report.objects, "observed_at", size)
    # Most severe first, then newest: one LIMITed query per severity (index on severity and
    # time of the open problems) rather than sorting every open problem of the region.
    problems: list[Problem] = []
    open_problems = (
        scope.problems()
        .filter(scope.open_q())
        .select_related("region", "category")
        .defer("region__geometry", "description")
    )
    for severity in SEVERITIES:
        if len(problems) >= size:
            break
        found = open_problems.filter(severity=severity).order_by("-created_at", "-pk")
        problems += list(found[: size - len(problems)])
    return {"reports": reports, "problems": problems}


def map_geojson(
    *,
    user,
    region: Region,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    stage: Stage | None = None,
    category: Category | None = None,
    operation: Operation | None = None,
    now: dt.datetime | None = None,
) -> dict:
    """The children of the region as a GeoJSON FeatureCollection with the figures of `summary`
    as properties; the region's own boundary (`outline`) and located reports and open problems
    (`markers`, at most 300 each) as members of their own."""
    now = now or timezone.now()
    filters = dict(
        since=since, until=until, stage=stage, category=category, operation=operation, now=now
    )
    data = summary(user=user, region=region, **filters)
    codes = [c["code"] for c in data["children"]]
    geometry = dict(Region.objects.filter(code__in=codes).values_list("code", "geometry"))
    features = [
        {
            "type": "Feature",
            "id": child["code"],
            "geometry": geometry.get(child["code"]),
            "properties": {
                key: child[key]
                for key in (
                    "code",
                    "name",
                    "level",
                    "situation",
                    "problems_open",
                    "problems_overdue",
                    "reporting_rate",
                    "reports",
                    "by_severity",
                )
            },
        }
        for child in data["children"]
    ]
    scope = _select(user, region, since, until, stage, category, now, operation=operation)
    markers = []
    located = scope.reports().filter(lat__isnull=False, lon__isnull=False)
    for r in newest(
        located.values("pk", "lat", "lon", "situation", "observed_at", "region__name"),
        Report.objects.filter(lat__isnull=False),  # windows from the newest located report
        "observed_at",
        MARKERS,
    ):
        markers.append(
            {
                "kind": "report",
                "id": r["pk"],
                "lat": r["lat"],
                "lon": r["lon"],
                "situation": r["situation"],
                "severity": None,
                "title": r["region__name"],
                "url": reverse("report", args=[r["pk"]]),
            }
        )
    problems = scope.problems().filter(scope.open_q(), lat__isnull=False, lon__isnull=False)
    for p in newest(
        problems.values("pk", "lat", "lon", "severity", "title"),
        Problem.objects.filter(status__in=OPEN),
        "created_at",
        MARKERS,
    ):
        markers.append(
            {
                "kind": "problem",
                "id": p["pk"],
                "lat": p["lat"],
                "lon": p["lon"],
                "situation": None,
                "severity": p["severity"],
                "title": f"#{p['pk']} {p['title']}",
                "url": reverse("problem", args=[p["pk"]]),
            }
        )
    return {
        "type": "FeatureCollection",
        "region": data["region"],
        "situation": data["situation"],
        "outline": region.geometry,
        "features": features,
        "markers": markers,
    }


def stages() -> QuerySet[Stage]:
    return Stage.objects.filter(is_active=True, operation__status__in=READABLE).order_by(
        "operation_id", "order", "starts_on"
    )


def categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("order", "name")


def stage_period(stage: Stage) -> tuple[dt.datetime, dt.datetime]:
    """The WIB dates of a stage as [since, until)."""
    since = dt.datetime.combine(stage.starts_on, dt.time.min, tzinfo=WIB)
    until = dt.datetime.combine(stage.ends_on + dt.timedelta(days=1), dt.time.min, tzinfo=WIB)
    return since, until


def ancestors(user, region: Region) -> list[Region]:
    """The regions above `region` whose dashboard `user` may open (for the breadcrumbs): the
    nation first for a user who may open it."""
    if region.is_nation:
        return []
    codes = _ancestor_codes(region.code)
    terr = access.territory(user)
    found = [
        r
        for r in Region.objects.filter(code__in=codes).order_by("code")
        if terr.contains(r.code) or terr.holds_part_of(r.code)
    ]
    return [Region.nation(), *found] if access.sees_nation(user) else found
