"""Keep the dashboard's rollups current: the job behind `refresh_rollups` and `pantau
rebuildrollups`.

What the tallies count (see models):
- reports received up to the watermark (reports are never changed once stored), by kecamatan
  ("area"), WIB day observed and stage;
- the latest report of each place among those, and per area the places by the day and the
  situation of their latest report;
- problems as their `ProblemRow` snapshot says, taken when the job last saw them change
  (`Problem.updated_at`).

A run, in one transaction holding the watermark row (SELECT ... FOR UPDATE on PostgreSQL; SQLite
transactions are IMMEDIATE, so runs queue): find the reports received and the problems changed
since the watermark (minus OVERLAP, so a transaction that committed late is picked up by the
next run) and take new snapshots of the changed problems. Then, per kecamatan touched, recount
only the (kecamatan, WIB day) buckets of reports that the new reports fall in (one index range
of one kecamatan's day: a run on voting day does not reread the day's reports of the country,
only those of the touched kecamatan-days), move the latest report of each place forward to the
newest of the new reports (reports are never changed once stored, so the latest is a maximum),
and recompute the kecamatan's place and problem tallies from its `PlaceLatest` and `ProblemRow`
rows (bounded by its places and problems, not its reports). Kabupaten and provinsi are
re-summed only on the days that changed. The watermark moves to the start of the run minus
LAG. Running it twice, or two consumers at once, gives the same result as a full rebuild
(`refresh(full=True)`, which recomputes every kecamatan from all its reports).
The reads add what happened after the watermark (`pantau.rollups.read`), so the figures stay
exact between runs.
"""

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from pantau.lib.clock import WIB
from pantau.monitoring.models import Report
from pantau.problems.models import OPEN, Problem, Status
from pantau.rollups.models import Metric, PlaceLatest, ProblemRow, Tally, Watermark

NAME = "dashboard"
LAG = dt.timedelta(seconds=30)
OVERLAP = dt.timedelta(minutes=10)
AREA_DEPTH = 3  # kecamatan: 35.13.01
NO_DAY = dt.date(1970, 1, 1)
BATCH = 2000


def depth(code: str) -> int:
    return code.count(".") + 1


def prefix(code: str, n: int) -> str:
    return ".".join(code.split(".")[:n])


def area_of(code: str) -> str | None:
    """The kecamatan holding a place; None above the kecamatan (not rolled up)."""
    return prefix(code, AREA_DEPTH) if depth(code) >= AREA_DEPTH else None


def wib_day(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, WIB).date()


def due_of(status: str, acknowledge_due_at, resolve_due_at):
    """The deadline that matters now (as `Problem.due_at`)."""
    if status not in OPEN:
        return None
    return acknowledge_due_at if status == Status.BARU else resolve_due_at


def problem_marks(row: ProblemRow) -> list[tuple[str, dt.date, str]]:
    """What one problem adds to the tallies: (metric, day, key)."""
    marks = [(Metric.CREATED, wib_day(row.created_at), "")]
    if row.status in OPEN:
        marks.append((Metric.OPEN, wib_day(row.created_at), row.severity))
        if row.due_at is not None:
            marks.append((Metric.DUE, wib_day(row.due_at), ""))
    elif row.status == Status.SELESAI and row.resolved_at is not None:
        marks.append((Metric.SOLVED, wib_day(row.resolved_at), ""))
    return marks


PROBLEM_FIELDS = (
    "pk",
    "region__code",
    "stage_id",
    "category_id",
    "severity",
    "status",
    "created_at",
    "acknowledge_due_at",
    "resolve_due_at",
    "resolved_at",
)


def snapshot(values: dict) -> ProblemRow | None:
    code = values["region__code"]
    area = area_of(code)
    if area is None:
        return None
    return ProblemRow(
        problem_id=values["pk"],
        code=code,
        area=area,
        kab=prefix(code, 2),
        prov=prefix(code, 1),
        stage_id=values["stage_id"],
        category_id=values["category_id"],
        severity=values["severity"],
        status=values["status"],
        created_at=values["created_at"],
        due_at=due_of(values["status"], values["acknowledge_due_at"], values["resolve_due_at"]),
        resolved_at=values["resolved_at"],
    )


def _tally(code: str, metric: str, stage_key: int, category_key: int, day, key: str, n: int):
    return Tally(
        code=code,
        depth=depth(code),
        prov=prefix(code, 1),
        kab=prefix(code, 2) if depth(code) >= 2 else "",
        metric=metric,
        stage_key=stage_key,
        category_key=category_key,
        day=day,
        key=key,
        n=n,
    )


def _keys(value) -> tuple:
    return (0,) if value is None else (0, value)


PROBLEM_METRICS = (Metric.OPEN, Metric.DUE, Metric.SOLVED, Metric.CREATED)
PLACE_METRICS = (Metric.LATEST, *PROBLEM_METRICS)


def _day_range(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=WIB)
    return start, start + dt.timedelta(days=1)


def _area_reports(area: str):
    from pantau.regions.models import Region

    # region ids, not a join on the code: the (region, observed_at) index answers per place
    places = Region.objects.filter(Q(code=area) | Q(code__startswith=area + ".")).values("pk")
    return Report.objects.filter(region_id__in=places)


def _place_counts(area: str, problems: bool = True) -> Counter:
    """The tallies of a kecamatan that come from its places' latest reports and (with
    `problems`) its problem snapshots: all but the report counts."""
    counts: Counter = Counter()
    for stage_key, observed_at, situation in PlaceLatest.objects.filter(area=area).values_list(
        "stage_key", "observed_at", "situation"
    ):
        counts[(Metric.LATEST, stage_key, 0, wib_day(observed_at), situation)] += 1
    if not problems:
        return counts
    for row in ProblemRow.objects.filter(area=area).iterator(chunk_size=BATCH):
        for metric, day, key in problem_marks(row):
            for stage_key in _keys(row.stage_id):
                for category_key in _keys(row.category_id):
                    counts[(metric, stage_key, category_key, day, key)] += 1
    return counts


def update_area(
    area: str,
    report_days: set[dt.date],
    newest: dict[tuple[str, int], tuple],
    watermark,
    problems: bool = True,
) -> set[dt.date]:
    """Bring one kecamatan up to date after new reports and changed problems: recount its
    reports on `report_days`, move its places' latest reports forward to `newest` ((place,
    stage_key) -> (observed_at, id, situation)), recompute its place tallies from its places
    and (when `problems` changed in it) its problem tallies from its snapshots. Returns the
    days whose tallies changed."""
    changed = set(report_days)
    own = Tally.objects.filter(depth=AREA_DEPTH, code=area)
    for day in report_days:
        start, end = _day_range(day)
        counts: Counter = Counter()
        rows = (
            _area_reports(area)
            .filter(observed_at__gte=start, observed_at__lt=end, received_at__lte=watermark)
            .values("stage_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in rows:
            for stage_key in _keys(row["stage_id"]):
                counts[(Metric.REPORTS, stage_key, 0, day, "")] += row["n"]
        own.filter(metric=Metric.REPORTS, day=day).delete()
        Tally.objects.bulk_create([_tally(area, *dims, n) for dims, n in counts.items()])
    if newest:
        held = {
            (p.code, p.stage_key): p
            for p in PlaceLatest.objects.filter(area=area, code__in={c for c, _s in newest})
        }
        for (code, stage_key), (observed_at, pk, situation) in newest.items():
            old = held.get((code, stage_key))
            if old is None:
                PlaceLatest.objects.create(
                    code=code,
                    area=area,
                    stage_key=stage_key,
                    observed_at=observed_at,
                    report_id=pk,
                    situation=situation,
                )
            elif (observed_at, pk) > (old.observed_at, old.report_id):
                old.observed_at, old.report_id, old.situation = observed_at, pk, situation
                old.save(update_fields=["observed_at", "report_id", "situation"])
    if not problems and not newest:
        return changed
    metrics = PLACE_METRICS if problems else (Metric.LATEST,)
    before = Counter(
        {
            (m, sk, ck, d, k): n
            for m, sk, ck, d, k, n in own.filter(metric__in=metrics).values_list(
                "metric", "stage_key", "category_key", "day", "key", "n"
            )
        }
    )
    after = _place_counts(area, problems)
    if before != after:
        changed |= {dims[3] for dims in set(before) ^ set(after)}
        changed |= {dims[3] for dims in before if before[dims] != after.get(dims)}
        own.filter(metric__in=metrics).delete()
        Tally.objects.bulk_create(
            [_tally(area, *dims, n) for dims, n in after.items()], batch_size=BATCH
        )
    return changed


def recompute_area(area: str, watermark: dt.datetime) -> int:
    """Replace the tallies and latest reports of one kecamatan, exactly, from its reports
    received up to `watermark` and its problem snapshots. Returns the number of tallies."""
    reports = (
        _area_reports(area)
        .filter(received_at__lte=watermark)
        .values_list("region__code", "stage_id", "observed_at", "pk", "situation")
    )
    counts: Counter = Counter()
    latest: dict[tuple[str, int], tuple] = {}
    for code, stage_id, observed_at, pk, situation in reports.iterator(chunk_size=BATCH):
        day = wib_day(observed_at)
        for stage_key in _keys(stage_id):
            counts[(Metric.REPORTS, stage_key, 0, day, "")] += 1
            best = latest.get((code, stage_key))
            if best is None or (observed_at, pk) > best[:2]:
                latest[(code, stage_key)] = (observed_at, pk, situation)
    for (_code, stage_key), (observed_at, _pk, situation) in latest.items():
        counts[(Metric.LATEST, stage_key, 0, wib_day(observed_at), situation)] += 1
    for row in ProblemRow.objects.filter(area=area).iterator(chunk_size=BATCH):
        for metric, day, key in problem_marks(row):
            for stage_key in _keys(row.stage_id):
                for category_key in _keys(row.category_id):
                    counts[(metric, stage_key, category_key, day, key)] += 1
    Tally.objects.filter(depth=AREA_DEPTH, code=area).delete()
    Tally.objects.bulk_create(
        [_tally(area, *dims, n) for dims, n in counts.items()], batch_size=BATCH
    )
    PlaceLatest.objects.filter(area=area).delete()
    PlaceLatest.objects.bulk_create(
        [
            PlaceLatest(
                code=code,
                area=area,
                stage_key=stage_key,
                observed_at=observed_at,
                report_id=pk,
                situation=situation,
            )
            for (code, stage_key), (observed_at, pk, situation) in latest.items()
        ],
        batch_size=BATCH,
    )
    return len(counts)


def sum_up(code: str, days: set[dt.date] | None = None) -> None:
    """The tallies of a kabupaten or provinsi: the sums of its children's (on `days` only,
    when given)."""
    level = depth(code)
    children = Tally.objects.filter(depth=level + 1, **{"kab" if level == 2 else "prov": code})
    own = Tally.objects.filter(depth=level, code=code)
    if days is not None:
        if not days:
            return
        children = children.filter(day__in=sorted(days))
        own = own.filter(day__in=sorted(days))
    rows = (
        children.values("metric", "stage_key", "category_key", "day", "key")
        .annotate(total=Sum("n"))
        .order_by()
    )
    own.delete()
    Tally.objects.bulk_create(
        [
            _tally(
                code,
                r["metric"],
                r["stage_key"],
                r["category_key"],
                r["day"],
                r["key"],
                r["total"],
            )
            for r in rows
        ],
        batch_size=BATCH,
    )


def _snapshot_problems(problems, areas: set[str]) -> int:
    """Take new snapshots of `problems`; the areas they were and are in join `areas`."""
    done = 0
    batch: list[dict] = []

    def flush():
        ids = [v["pk"] for v in batch]
        areas.update(ProblemRow.objects.filter(problem_id__in=ids).values_list("area", flat=True))
        ProblemRow.objects.filter(problem_id__in=ids).delete()
        rows = [r for r in map(snapshot, batch) if r is not None]
        areas.update(r.area for r in rows)
        ProblemRow.objects.bulk_create(rows, batch_size=BATCH)

    for values in problems.values(*PROBLEM_FIELDS).order_by().iterator(chunk_size=BATCH):
        batch.append(values)
        if len(batch) >= BATCH:
            flush()
            done += len(batch)
            batch = []
    if batch:
        flush()
        done += len(batch)
    return done


def refresh(
    *,
    full: bool = False,
    now: dt.datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Bring the rollups up to date (everything again when `full` or never run). Returns what
    it did: {"areas", "problems", "watermark", "full"}."""
    say = progress or (lambda message: None)
    with transaction.atomic():
        Watermark.objects.get_or_create(name=NAME)
        mark = Watermark.objects.select_for_update().get(name=NAME)
        start = now or timezone.now()
        new_mark = start - LAG
        full = full or mark.at is None
        areas: set[str] = set()
        if full:
            say("clearing the rollups")
            Tally.objects.all().delete()
            PlaceLatest.objects.all().delete()
            ProblemRow.objects.all().delete()
            areas.update(a for a in map(area_of, _report_region_codes()) if a)
            n_problems = _snapshot_problems(Problem.objects.all(), areas)
            say(f"{n_problems} problems taken; {len(areas)} kecamatan to compute")
            for i, area in enumerate(sorted(areas), 1):
                recompute_area(area, new_mark)
                if i % 200 == 0 or i == len(areas):
                    say(f"kecamatan {i}/{len(areas)}")
            days: dict[str, set | None] = dict.fromkeys(areas)
        else:
            since = mark.at - OVERLAP
            buckets, newest = _new_reports(since, new_mark)
            problem_areas: set[str] = set()
            touched = Problem.objects.filter(updated_at__gt=since)
            n_problems = _snapshot_problems(touched, problem_areas)
            areas.update(buckets, problem_areas)
            say(f"{n_problems} problems taken; {len(areas)} kecamatan to update")
            days = {
                area: update_area(
                    area,
                    buckets.get(area, set()),
                    newest.get(area, {}),
                    new_mark,
                    problems=area in problem_areas,
                )
                for area in sorted(areas)
            }
        kabs: dict[str, set | None] = {}
        for area, changed in days.items():
            _merge(kabs, prefix(area, 2), changed)
        provs: dict[str, set | None] = {}
        for kab, changed in sorted(kabs.items()):
            sum_up(kab, changed)
            _merge(provs, prefix(kab, 1), changed)
        for prov, changed in sorted(provs.items()):
            sum_up(prov, changed)
        say(f"{len(kabs)} kabupaten summed")
        mark.at = new_mark
        if full:
            mark.rebuilt_at = start
        mark.save()
    return {"areas": len(areas), "problems": n_problems, "watermark": new_mark, "full": full}


def _merge(into: dict, code: str, days: set | None) -> None:
    """Days changed under `code` (None: all of them)."""
    if code in into and into[code] is None:
        return
    into[code] = None if days is None else into.get(code, set()) | days


def _new_reports(since: dt.datetime, until: dt.datetime) -> tuple[dict, dict]:
    """The reports received in (since, until]: per kecamatan, the WIB days they were observed
    on, and the newest of them per (place, stage_key)."""
    buckets: dict[str, set[dt.date]] = {}
    newest: dict[str, dict[tuple[str, int], tuple]] = {}
    rows = Report.objects.filter(received_at__gt=since, received_at__lte=until).values_list(
        "region__code", "stage_id", "observed_at", "pk", "situation"
    )
    for code, stage_id, observed_at, pk, situation in rows.iterator(chunk_size=BATCH):
        area = area_of(code)
        if area is None:
            continue
        buckets.setdefault(area, set()).add(wib_day(observed_at))
        places = newest.setdefault(area, {})
        for stage_key in _keys(stage_id):
            best = places.get((code, stage_key))
            if best is None or (observed_at, pk) > best[:2]:
                places[(code, stage_key)] = (observed_at, pk, situation)
    return buckets, newest


def _report_region_codes() -> Iterable[str]:
    from pantau.regions.models import Region

    ids = Report.objects.values_list("region_id", flat=True).distinct().order_by()
    return Region.objects.filter(pk__in=ids).values_list("code", flat=True)


def watermark() -> dt.datetime | None:
    return Watermark.objects.filter(name=NAME).values_list("at", flat=True).first()


def clear() -> None:
    """Forget the rollups: the dashboard computes from the base rows until the next run."""
    with transaction.atomic():
        Watermark.objects.filter(name=NAME).delete()
        Tally.objects.all().delete()
        PlaceLatest.objects.all().delete()
        ProblemRow.objects.all().delete()
