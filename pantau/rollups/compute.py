"""Keep the dashboard's rollups current: the job behind `refresh_rollups` and `pantau
rebuildrollups`.

What the tallies count (see models):
- reports received up to the watermark (reports are never changed once stored), by kecamatan
  ("area"), WIB day observed and stage;
- the latest report of each place among those, and per area the places by the day and the
  situation of their latest report;
- problems as their `ProblemRow` snapshot says, taken when the job last saw them change
  (`Problem.updated_at`).

A run holds the watermark row for its whole transaction (SELECT ... FOR UPDATE on PostgreSQL;
SQLite transactions are IMMEDIATE), so runs queue. The watermark moves to the start of the run
minus LAG (never backwards). The reads add what happened after the watermark
(`pantau.rollups.read`), so the figures stay exact between runs.

The incremental run costs what arrived since the last one, not what the touched kecamatan hold:
- New reports: those received in (watermark - OVERLAP, new watermark] that `CountedReport` does
  not list yet, read once (one index range of `received_at`). Their ids go into
  `CountedReport` in the same transaction, which forgets ids received before new watermark -
  OVERLAP (no later run reads that far back). Why this is exact, also with transactions that
  commit late: a report is counted by the first run that sees it committed while its
  `received_at` is inside the run's window, and never again, because every later window that
  still contains its `received_at` also still finds its id in `CountedReport` (the windows'
  starts only move forward, and an id is forgotten only once the starts have passed it). A
  report is missed only if it becomes visible more than OVERLAP after its `received_at` (the
  same bound as before; `received_at` is set inside the writing transaction, which lasts
  seconds); a full rebuild counts it anyway.
- What they change, as signed deltas per figure: +1 report per (kecamatan, day, stage); for a
  place whose latest report moves forward (a maximum of (observed_at, id): reports never
  change), -1 on the old (day, situation) and +1 on the new; for a changed problem, minus the
  marks of its old snapshot plus those of the new one. The deltas are added to the kecamatan's
  tallies and, summed, to its kabupaten's and provinsi's (a sum of children is linear in them)
  with INSERT ... ON CONFLICT DO UPDATE on the tallies' unique key, a few statements for the
  whole run; a tally that reaches 0 is deleted (a rebuild has no zero rows). The latest
  reports move with one upsert (ON CONFLICT (code, stage_key)).

The full rebuild (`refresh(full=True)`, or the first run) is set-based SQL over the base rows:
reports GROUP BY (kecamatan, stage, WIB day), the latest report per place and stage by
ROW_NUMBER() OVER (PARTITION BY place, stage ORDER BY observed_at DESC, id DESC), the problems'
snapshots by INSERT ... SELECT and their marks by GROUP BY, kabupaten and provinsi as sums of
their children. WIB day in SQL: the date of the UTC time plus 7 hours (Asia/Jakarta has kept
UTC+7 without DST since 1964). The reports it counts are those received up to new watermark -
OVERLAP plus those it lists in `CountedReport` first (received up to the new watermark), so
that the next run's window neither misses nor recounts one.
A run, incremental or full, leaves the same rows (tests: an incremental run equals a rebuild).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone

from pantau.lib.clock import WIB
from pantau.monitoring.models import Report
from pantau.problems.models import OPEN, Problem, Status
from pantau.regions.models import NATION_CODE, Region
from pantau.rollups.models import (
    CountedReport,
    Metric,
    PlaceLatest,
    ProblemRow,
    Tally,
    Watermark,
)

NAME = "dashboard"
LAG = dt.timedelta(seconds=30)
OVERLAP = dt.timedelta(minutes=10)
AREA_DEPTH = 3  # kecamatan: 35.13.01
NO_DAY = dt.date(1970, 1, 1)
BATCH = 2000
WIB_HOURS = 7  # Asia/Jakarta's offset, fixed since 1964 (the SQL's WIB day)


NATION_DEPTH = 0


def depth(code: str) -> int:
    """1 a provinsi, 2 a kabupaten, 3 a kecamatan ...; 0 the nation (`NATION_CODE`), whose
    tallies sum the provinces' for the national dashboard."""
    return NATION_DEPTH if code == NATION_CODE else code.count(".") + 1


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
        marks.append((Metric.OPEN, NO_DAY, row.severity))  # read whatever the day
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


def _keys(value) -> tuple:
    return (0,) if value is None else (0, value)


PROBLEM_METRICS = (Metric.OPEN, Metric.DUE, Metric.SOLVED, Metric.CREATED)
PLACE_METRICS = (Metric.LATEST, *PROBLEM_METRICS)


def refresh(
    *,
    full: bool = False,
    now: dt.datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Bring the rollups up to date (everything again when `full` or never run). Returns what
    it did: {"areas", "reports", "problems", "watermark", "full"}."""
    say = progress or (lambda message: None)
    with transaction.atomic():
        Watermark.objects.get_or_create(name=NAME)
        mark = Watermark.objects.select_for_update().get(name=NAME)
        start = now or timezone.now()
        new_mark = start - LAG
        full = full or mark.at is None
        if full:
            done = rebuild(new_mark, say)
        else:
            # (never backwards: the windows' starts must only move forward, see above)
            new_mark = max(new_mark, mark.at)
            done = update(mark.at - OVERLAP, new_mark, say)
        mark.at = new_mark
        if full:
            mark.rebuilt_at = start
        mark.save()
    return {**done, "watermark": new_mark, "full": full}


# The incremental run.


def new_reports(since: dt.datetime, until: dt.datetime):
    """The reports received in (since, until] that the tallies do not count yet."""
    return (
        Report.objects.filter(received_at__gt=since, received_at__lte=until)
        .exclude(pk__in=CountedReport.objects.values("report_id"))
        .order_by()
    )


def update(since: dt.datetime, new_mark: dt.datetime, say: Callable[[str], None]) -> dict:
    """Add the reports received and the problems changed since `since` (see the module's
    docstring); returns {"areas", "reports", "problems"}."""
    deltas: dict[tuple, int] = defaultdict(int)
    areas: set[str] = set()
    counted: list[CountedReport] = []
    newest: dict[tuple[str, int], tuple] = {}
    rows = new_reports(since, new_mark).values_list(
        "pk", "received_at", "region__code", "stage_id", "observed_at", "situation"
    )
    for pk, received_at, code, stage_id, observed_at, situation in rows.iterator(chunk_size=BATCH):
        counted.append(CountedReport(report_id=pk, received_at=received_at))
        area = area_of(code)
        if area is None:
            continue
        areas.add(area)
        day = wib_day(observed_at)
        for stage_key in _keys(stage_id):
            deltas[(area, Metric.REPORTS, stage_key, 0, day, "")] += 1
            best = newest.get((code, stage_key))
            if best is None or (observed_at, pk) > best[:2]:
                newest[(code, stage_key)] = (observed_at, pk, situation, area)
    say(f"{len(counted)} new reports read")
    CountedReport.objects.bulk_create(counted, batch_size=BATCH)
    CountedReport.objects.filter(received_at__lte=new_mark - OVERLAP).delete()
    moved = _move_latest(newest, deltas)
    say(f"{moved} latest reports moved")
    n_problems = _snapshot_problems(Problem.objects.filter(updated_at__gt=since), deltas, areas)
    say(f"{n_problems} problems taken; {len(areas)} kecamatan")
    n_tallies = apply_deltas(deltas)
    say(f"{n_tallies} tallies changed")
    return {"areas": len(areas), "reports": len(counted), "problems": n_problems}


def _move_latest(newest: dict[tuple[str, int], tuple], deltas: dict) -> int:
    """Move the latest report of each place forward to `newest` ((code, stage_key) ->
    (observed_at, id, situation, area)) where it is newer, in one upsert; the LATEST deltas
    go into `deltas`. Returns how many moved or appeared."""
    codes = sorted({code for code, _stage_key in newest})
    changed: list[PlaceLatest] = []
    held: dict[tuple[str, int], tuple] = {}
    for i in range(0, len(codes), BATCH):
        rows = PlaceLatest.objects.filter(code__in=codes[i : i + BATCH]).values_list(
            "code", "stage_key", "observed_at", "report_id", "situation", "area"
        )
        for code, stage_key, *old in rows:
            held[(code, stage_key)] = tuple(old)
    for (code, stage_key), (observed_at, pk, situation, area) in sorted(newest.items()):
        old = held.get((code, stage_key))
        if old is not None:
            if (observed_at, pk) <= old[:2]:
                continue
            old_at, _old_pk, old_situation, old_area = old
            deltas[(old_area, Metric.LATEST, stage_key, 0, wib_day(old_at), old_situation)] -= 1
        deltas[(area, Metric.LATEST, stage_key, 0, wib_day(observed_at), situation)] += 1
        changed.append(
            PlaceLatest(
                code=code,
                area=area,
                stage_key=stage_key,
                observed_at=observed_at,
                report_id=pk,
                situation=situation,
            )
        )
    PlaceLatest.objects.bulk_create(
        changed,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["code", "stage_key"],
        update_fields=["area", "observed_at", "report_id", "situation"],
    )
    return len(changed)


def _add_marks(deltas: dict, row: ProblemRow, sign: int) -> None:
    for metric, day, key in problem_marks(row):
        for stage_key in _keys(row.stage_id):
            for category_key in _keys(row.category_id):
                deltas[(row.area, metric, stage_key, category_key, day, key)] += sign


def _snapshot_problems(problems, deltas: dict, areas: set[str]) -> int:
    """Take new snapshots of `problems`: their old snapshots' marks leave `deltas`, the new
    ones' join it, and the areas they were and are in join `areas`. Returns how many."""
    done = 0
    batch: list[dict] = []

    def flush():
        ids = [v["pk"] for v in batch]
        for old in ProblemRow.objects.filter(problem_id__in=ids):
            _add_marks(deltas, old, -1)
            areas.add(old.area)
        ProblemRow.objects.filter(problem_id__in=ids).delete()
        rows = [r for r in map(snapshot, batch) if r is not None]
        for row in rows:
            _add_marks(deltas, row, +1)
            areas.add(row.area)
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


TALLY = Tally._meta.db_table
TALLY_COLUMNS = (
    '"code", "depth", "prov", "kab", "metric", "stage_key", "category_key", "day", "key"'
)
TALLY_KEY = '"code", "metric", "stage_key", "category_key", "day", "key"'


def apply_deltas(deltas: dict[tuple, int]) -> int:
    """Add `deltas` ((area, metric, stage_key, category_key, day, key) -> n) to the tallies
    of the areas and, summed, of their kabupaten and provinsi; delete the tallies that reach
    0. Returns how many tallies changed."""
    by_code: dict[tuple, int] = defaultdict(int)
    for (area, *figure), n in deltas.items():
        if n:
            for code in (area, prefix(area, 2), prefix(area, 1), NATION_CODE):
                by_code[(code, *figure)] += n
    rows = []
    for (code, metric, stage_key, category_key, day, key), n in by_code.items():
        if n:
            level = depth(code)
            prov = prefix(code, 1) if level >= 1 else ""
            kab = prefix(code, 2) if level >= 2 else ""
            rows.append(
                (code, level, prov, kab, str(metric), stage_key, category_key, day) + (key, n)
            )
    rows.sort(key=lambda row: (row[0], row[4:9]))  # (in the unique key's order: fewer pages)
    zero: list[int] = []
    step = 1000
    with connection.cursor() as cursor:
        for i in range(0, len(rows), step):
            chunk = rows[i : i + step]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                f'INSERT INTO "{TALLY}" ({TALLY_COLUMNS}, "n") VALUES {values} '
                f'ON CONFLICT ({TALLY_KEY}) DO UPDATE SET "n" = "{TALLY}"."n" + EXCLUDED."n" '
                'RETURNING "id", "n"',
                [v for row in chunk for v in row],
            )
            zero.extend(pk for pk, n in cursor.fetchall() if n == 0)
    for i in range(0, len(zero), BATCH):
        Tally.objects.filter(pk__in=zero[i : i + BATCH]).delete()
    return len(rows)


# The full rebuild, in SQL.


def _day_sql(column: str) -> str:
    """The WIB date of a timestamp column, in SQL."""
    if connection.vendor == "postgresql":
        return f"(({column} AT TIME ZONE 'UTC') + INTERVAL '{WIB_HOURS} hours')::date"
    return f"date({column}, '+{WIB_HOURS} hours')"


def _prefix_sql(column: str, n: int) -> str:
    """The first `n` parts of a dotted code, in SQL (SQLite: a function of this connection)."""
    if connection.vendor == "postgresql":
        return " || '.' || ".join(f"split_part({column}, '.', {i})" for i in range(1, n + 1))
    return f"pantau_prefix({column}, {n})"


def _deep_sql(column: str) -> str:
    """True for a code at the kecamatan's depth or below, in SQL."""
    if connection.vendor == "postgresql":
        return f"split_part({column}, '.', {AREA_DEPTH}) <> ''"
    return f"pantau_depth({column}) >= {AREA_DEPTH}"


def _param(moment: dt.datetime):
    return connection.ops.adapt_datetimefield_value(moment)


class _Temporary:
    """Temporary tables of one transaction (dropped at the end; PostgreSQL also on commit)."""

    def __init__(self, cursor):
        self.cursor, self.names = cursor, []

    def create(self, name: str, columns: str) -> None:
        self.cursor.execute(f"DROP TABLE IF EXISTS {name}")
        on_commit = " ON COMMIT DROP" if connection.vendor == "postgresql" else ""
        self.cursor.execute(f"CREATE TEMPORARY TABLE {name} ({columns}){on_commit}")
        self.names.append(name)

    def analyze(self, name: str) -> None:
        if connection.vendor == "postgresql":  # (autovacuum does not analyse temporary tables)
            self.cursor.execute(f"ANALYZE {name}")

    def drop(self) -> None:
        for name in reversed(self.names):
            self.cursor.execute(f"DROP TABLE IF EXISTS {name}")


def rebuild(new_mark: dt.datetime, say: Callable[[str], None]) -> dict:
    """Replace every rollup row from the base rows, set-based (see the module's docstring);
    returns {"areas", "reports", "problems"}."""
    report = Report._meta.db_table
    problem = Problem._meta.db_table
    region = Region._meta.db_table
    latest = PlaceLatest._meta.db_table
    problem_row = ProblemRow._meta.db_table
    counted_table = CountedReport._meta.db_table
    since = new_mark - OVERLAP
    day = _day_sql
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        raw = connection.connection
        raw.create_function("pantau_prefix", 2, prefix, deterministic=True)
        raw.create_function("pantau_depth", 1, depth, deterministic=True)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL work_mem = '256MB'")
        temporary = _Temporary(cursor)
        say("clearing the rollups")
        for table in (Tally, PlaceLatest, ProblemRow, CountedReport):
            cursor.execute(f'DELETE FROM "{table._meta.db_table}"')
        # The reports this rebuild counts: received up to `since`, and those listed here.
        cursor.execute(
            f'INSERT INTO "{counted_table}" (report_id, received_at) '
            f'SELECT id, received_at FROM "{report}" WHERE received_at > %s AND received_at <= %s',
            [_param(since), _param(new_mark)],
        )
        counted = f'(r.received_at <= %s OR r.id IN (SELECT report_id FROM "{counted_table}"))'
        counted_params = [_param(since)]
        # Places (any region at or below a kecamatan) and their kecamatan, kabupaten, provinsi.
        temporary.create(
            "rollup_place",
            "region_id bigint PRIMARY KEY, code varchar(32), area varchar(32), "
            "kab varchar(32), prov varchar(32)",
        )
        cursor.execute(
            f"INSERT INTO rollup_place SELECT id, code, {_prefix_sql('code', 3)}, "
            f"{_prefix_sql('code', 2)}, {_prefix_sql('code', 1)} "
            f'FROM "{region}" WHERE {_deep_sql("code")}'
        )
        temporary.analyze("rollup_place")
        temporary.create(
            "rollup_area", "area varchar(32) PRIMARY KEY, kab varchar(32), prov varchar(32)"
        )
        cursor.execute("INSERT INTO rollup_area SELECT DISTINCT area, kab, prov FROM rollup_place")
        temporary.analyze("rollup_area")

        # Reports by kecamatan, stage and day.
        temporary.create(
            "rollup_counts",
            "area varchar(32), kab varchar(32), prov varchar(32), stage_id bigint, day date, "
            "n bigint",
        )
        cursor.execute(
            f"INSERT INTO rollup_counts SELECT m.area, m.kab, m.prov, r.stage_id, "
            f"{day('r.observed_at')}, COUNT(*) "
            f'FROM "{report}" r JOIN rollup_place m ON m.region_id = r.region_id '
            f"WHERE {counted} GROUP BY 1, 2, 3, 4, 5",
            counted_params,
        )
        insert_tally = f'INSERT INTO "{TALLY}" ({TALLY_COLUMNS}, "n") '
        cursor.execute(
            insert_tally + f"SELECT area, {AREA_DEPTH}, prov, kab, %s, stage_id, 0, day, '', n "
            "FROM rollup_counts WHERE stage_id IS NOT NULL ORDER BY area, stage_id, day",
            [str(Metric.REPORTS)],
        )
        cursor.execute(
            insert_tally + f"SELECT area, {AREA_DEPTH}, prov, kab, %s, 0, 0, day, '', SUM(n) "
            "FROM rollup_counts GROUP BY area, kab, prov, day ORDER BY area, day",
            [str(Metric.REPORTS)],
        )
        cursor.execute("SELECT COALESCE(SUM(n), 0) FROM rollup_counts")
        n_reports = int(cursor.fetchone()[0])
        say(f"{n_reports} reports counted")

        # The latest report of each place per stage, then over all stages.
        temporary.create(
            "rollup_latest",
            "region_id bigint, stage_id bigint, observed_at timestamp with time zone, "
            "report_id bigint, situation varchar(8)",
        )
        cursor.execute(
            "INSERT INTO rollup_latest SELECT region_id, stage_id, observed_at, id, situation "
            "FROM (SELECT r.region_id, r.stage_id, r.observed_at, r.id, r.situation, "
            "ROW_NUMBER() OVER (PARTITION BY r.region_id, r.stage_id "
            "ORDER BY r.observed_at DESC, r.id DESC) AS rn "
            f'FROM "{report}" r JOIN rollup_place m ON m.region_id = r.region_id '
            f"WHERE {counted}) x WHERE rn = 1",
            counted_params,
        )
        insert_latest = (
            f'INSERT INTO "{latest}" (code, area, stage_key, observed_at, report_id, situation) '
        )
        cursor.execute(
            insert_latest + "SELECT m.code, m.area, l.stage_id, l.observed_at, l.report_id, "
            "l.situation FROM rollup_latest l JOIN rollup_place m ON m.region_id = l.region_id "
            "WHERE l.stage_id IS NOT NULL"
        )
        cursor.execute(
            insert_latest + "SELECT m.code, m.area, 0, x.observed_at, x.report_id, x.situation "
            "FROM (SELECT l.*, ROW_NUMBER() OVER (PARTITION BY l.region_id "
            "ORDER BY l.observed_at DESC, l.report_id DESC) AS rn FROM rollup_latest l) x "
            "JOIN rollup_place m ON m.region_id = x.region_id WHERE x.rn = 1"
        )
        cursor.execute(
            insert_tally + f"SELECT pl.area, {AREA_DEPTH}, a.prov, a.kab, %s, pl.stage_key, 0, "
            f"{day('pl.observed_at')}, pl.situation, COUNT(*) "
            f'FROM "{latest}" pl JOIN rollup_area a ON a.area = pl.area GROUP BY 1, 2, 3, 4, 5, '
            "6, 7, 8, 9",
            [str(Metric.LATEST)],
        )
        say("latest reports of the places taken")

        # The problems' snapshots and their marks.
        others = [s for s in OPEN if s != Status.BARU]
        cursor.execute(
            f'INSERT INTO "{problem_row}" (problem_id, code, area, kab, prov, stage_id, '
            "category_id, severity, status, created_at, due_at, resolved_at) "
            "SELECT p.id, m.code, m.area, m.kab, m.prov, p.stage_id, p.category_id, "
            "p.severity, p.status, p.created_at, CASE WHEN p.status = %s THEN "
            f"p.acknowledge_due_at WHEN p.status IN ({', '.join(['%s'] * len(others))}) "
            "THEN p.resolve_due_at END, p.resolved_at "
            f'FROM "{problem}" p JOIN rollup_place m ON m.region_id = p.region_id',
            [str(v) for v in (Status.BARU, *others)],
        )
        n_problems = cursor.rowcount
        temporary.analyze(f'"{problem_row}"')
        say(f"{n_problems} problems taken")
        # Their marks, counted per (kecamatan, stage, category, metric, day, key) ...
        open_in = ", ".join(["%s"] * len(OPEN))
        columns = "area, stage_id, category_id"
        no_day = f"'{NO_DAY.isoformat()}'"
        if connection.vendor == "postgresql":
            no_day = f"DATE {no_day}"
        marks = (
            f"SELECT {columns}, %s AS metric, {day('created_at')} AS day, '' AS key "
            f'FROM "{problem_row}" '
            f"UNION ALL SELECT {columns}, %s, {no_day}, severity "
            f'FROM "{problem_row}" WHERE status IN ({open_in}) '
            f"UNION ALL SELECT {columns}, %s, {day('due_at')}, '' "
            f'FROM "{problem_row}" WHERE status IN ({open_in}) AND due_at IS NOT NULL '
            f"UNION ALL SELECT {columns}, %s, {day('resolved_at')}, '' "
            f'FROM "{problem_row}" WHERE status = %s AND resolved_at IS NOT NULL'
        )
        marks_params = [
            *(Metric.CREATED, Metric.OPEN, *OPEN, Metric.DUE, *OPEN, Metric.SOLVED),
            Status.SELESAI,
        ]
        temporary.create(
            "rollup_marks",
            "area varchar(32), stage_id bigint, category_id bigint, metric varchar(1), "
            "day date, key varchar(16), n bigint",
        )
        cursor.execute(
            f"INSERT INTO rollup_marks SELECT {columns}, metric, day, key, COUNT(*) "
            f"FROM ({marks}) x GROUP BY 1, 2, 3, 4, 5, 6",
            [str(v) for v in marks_params],
        )
        temporary.analyze("rollup_marks")
        # ... then for stage 0 and its stage, category 0 and its category (each mark counts
        # in the four); sorted, so that the tallies' indexes grow in order.
        for stage, category, where in (
            ("m.stage_id", "m.category_id", "m.stage_id IS NOT NULL"),
            ("0", "m.category_id", "1 = 1"),
            ("m.stage_id", "0", "m.stage_id IS NOT NULL"),
            ("0", "0", "1 = 1"),
        ):
            # (a constant is no GROUP BY or ORDER BY term: both would read it as a position)
            stage_and_category = ", ".join(c for c in (stage, category) if c != "0")
            grouped = ", ".join(["m.area", "m.metric", stage_and_category, "m.day", "m.key"])
            grouped = grouped.replace(", , ", ", ")
            cursor.execute(
                insert_tally + f"SELECT m.area, {AREA_DEPTH}, a.prov, a.kab, m.metric, {stage}, "
                f"{category}, m.day, m.key, SUM(m.n) FROM rollup_marks m "
                f"JOIN rollup_area a ON a.area = m.area WHERE {where} "
                f"GROUP BY a.prov, a.kab, {grouped} ORDER BY {grouped}"
            )
        say("problem tallies counted")

        # Kabupaten and provinsi: the sums of their children.
        figure = "metric, stage_key, category_key, day, key"
        cursor.execute(
            insert_tally + f'SELECT kab, 2, prov, kab, {figure}, SUM(n) FROM "{TALLY}" '
            f"WHERE depth = {AREA_DEPTH} GROUP BY kab, prov, {figure} ORDER BY kab, {figure}"
        )
        cursor.execute(
            insert_tally + f"SELECT prov, 1, prov, '', {figure}, SUM(n) FROM \"{TALLY}\" "
            f"WHERE depth = 2 GROUP BY prov, {figure} ORDER BY prov, {figure}"
        )
        cursor.execute(
            insert_tally + f"SELECT '{NATION_CODE}', {NATION_DEPTH}, '', '', {figure}, SUM(n) "
            f'FROM "{TALLY}" WHERE depth = 1 GROUP BY {figure} ORDER BY {figure}'
        )
        cursor.execute(f'SELECT COUNT(DISTINCT code) FROM "{TALLY}" WHERE depth = {AREA_DEPTH}')
        n_areas = cursor.fetchone()[0]
        say(f"{n_areas} kecamatan, their kabupaten, provinsi and the nation summed")
        temporary.drop()
        # Emptied and filled in one go: without new statistics the planner still sees the
        # empty tables of before (SQLite has no autovacuum; PostgreSQL's may be off or late).
        for table in (TALLY, latest, problem_row):
            cursor.execute(f'ANALYZE "{table}"')
    return {"areas": n_areas, "reports": n_reports, "problems": n_problems}


def watermark() -> dt.datetime | None:
    return Watermark.objects.filter(name=NAME).values_list("at", flat=True).first()


def clear() -> None:
    """Forget the rollups: the dashboard computes from the base rows until the next run."""
    with transaction.atomic():
        Watermark.objects.filter(name=NAME).delete()
        Tally.objects.all().delete()
        PlaceLatest.objects.all().delete()
        ProblemRow.objects.all().delete()
        CountedReport.objects.all().delete()
