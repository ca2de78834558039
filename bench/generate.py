"""Synthetic data for the benchmarks: a regency, a province or the nation, with real structure.

    .venv/bin/python bench/generate.py --size regency|province|nation [--scale 1.0] [--seed 2024]
                                       [--no-rollups]

Uses the current DATABASE_URL / PANTAU_DATA_DIR and runs `pantau setup-demo` first when the
database is empty, so the demo operation (stages, checklists, categories, accounts) exists.

  regency   Probolinggo's real 24 kecamatan and 330 villages, 1,750 TPS, 10,000 reports,
            2,000 problems;
  province  Jawa Timur: Probolinggo plus 37 synthetic regencies (Kemendagri's codes 35.01-35.29,
            35.71-35.79), ~666 kecamatan, ~8,500 villages, ~45,000 TPS, 1 M reports,
            100,000 problems;
  nation    38 provinces (the real province codes), ~514 regencies, ~7,200 kecamatan,
            ~84,000 villages, ~400,000 TPS, 10 M reports, 1 M problems.

TPS are Region rows of level `tps` (code = village code + 3-digit number); a report or problem
names its village or kecamatan and, at a village, a TPS number within the village's range.
Synthetic regions get square boundaries nested in their parent's square (so the map can draw
them). Reports spread over the operation's stages of 2024 with voting day (27 Nov WIB) heavier;
problems come 70 % from a report (same place, stage and author) and carry realistic states,
severities, categories, levels and the operation's deadlines. Everything hangs on the demo
operation. Not generated: audit entries, problem timelines (ProblemEvent), photos, reminders
(the audit chain covers what users did, not synthetic rows).

Ends with `pantau rebuildrollups` (COPY bypasses the write path that keeps the rollups current)
unless `--no-rollups` is given.

Bulk: PostgreSQL gets COPY (psycopg 3), with the secondary indexes of the two big tables dropped
during the load and recreated from their exact saved definitions, and FK triggers off for the
session (the rows are consistent by construction); SQLite gets executemany in big transactions.
Deterministic: the same size, scale and seed give the same rows. `--scale` multiplies reports and
problems (tests use a fraction). Refuses a database that already holds bench data.
"""

import argparse
import datetime as dt
import json
import math
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pantau.settings")

# Jawa Timur's regency codes (29 kabupaten, 9 kota) and Indonesia's 38 province codes.
JATIM = [f"{n:02d}" for n in range(1, 30)] + [f"{n:02d}" for n in range(71, 80)]
PROVINCES = (
    [str(n) for n in range(11, 20)]
    + ["21"]
    + [str(n) for n in range(31, 37)]
    + ["51", "52", "53"]
    + [str(n) for n in range(61, 66)]
    + [str(n) for n in range(71, 77)]
    + ["81", "82"]
    + [str(n) for n in range(91, 97)]
)
INDONESIA = (95.0, -11.0, 141.0, 6.0)  # lon/lat box the provinces are laid out in
JAWA_TIMUR = (111.0, -8.8, 114.6, -6.8)

SIZES = {
    # regencies/kecamatan/villages/tps: totals of the synthetic part outside Probolinggo
    "regency": {"reports": 10_000, "problems": 2_000, "tps_probolinggo": 1_750},
    "province": {
        "reports": 1_000_000,
        "problems": 100_000,
        "tps_probolinggo": 1_750,
        "jatim": {"kecamatan": 642, "desa": 8_164, "tps": 43_300},
    },
    "nation": {
        "reports": 10_000_000,
        "problems": 1_000_000,
        "tps_probolinggo": 1_750,
        "jatim": {"kecamatan": 642, "desa": 8_164, "tps": 43_300},
        "others": {"kabupaten": 476, "kecamatan": 6_534, "desa": 75_506, "tps": 355_000},
    },
}
AUTHORS_PER_REGENCY = 4
SITUATIONS = [("aman", 85), ("waspada", 12), ("rawan", 3)]
SEVERITIES = [("rendah", 35), ("sedang", 35), ("tinggi", 22), ("kritis", 8)]
STATES = [  # status, weight, version (transitions so far)
    ("baru", 8, 1),
    ("diverifikasi", 10, 2),
    ("ditangani", 14, 3),
    ("selesai", 55, 4),
    ("ditolak", 8, 2),
    ("duplikat", 5, 2),
]
CHANNELS = [("web", 50), ("api", 20), ("odk", 30)]
NARRATIVES = [
    "Situasi di wilayah kondusif, kegiatan berjalan lancar.",
    "Pemantauan rutin, tidak ada kejadian menonjol.",
    "Warga beraktivitas seperti biasa, aparat berjaga.",
    "Ada keluhan warga, sudah dikoordinasikan dengan PPS.",
    "Perlu perhatian: informasi beredar di media sosial.",
    "",
]
LEVEL_UP = {"desa": "kecamatan", "kecamatan": "koordinator", "koordinator": "kabupaten"}


def log(message: str) -> None:
    print(message, flush=True)


def spread(total: int, parents: int, rng: random.Random, jitter: float = 0.35) -> list[int]:
    """`total` items over `parents` (each at least 1), unevenly but summing exactly."""
    if parents <= 0:
        return []
    weights = [1 + rng.uniform(-jitter, jitter) for _ in range(parents)]
    scale = total / sum(weights)
    counts = [max(1, int(w * scale)) for w in weights]
    diff = total - sum(counts)
    i = 0
    while diff != 0:
        k = rng.randrange(parents) if i > parents else i % parents
        if diff > 0:
            counts[k] += 1
            diff -= 1
        elif counts[k] > 1:
            counts[k] -= 1
            diff += 1
        i += 1
    return counts


def grid(box: tuple, n: int) -> list[tuple]:
    """`n` equal squares-ish cells (lon0, lat0, lon1, lat1) filling `box` row by row."""
    lon0, lat0, lon1, lat1 = box
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    w, h = (lon1 - lon0) / cols, (lat1 - lat0) / rows
    cells = []
    for i in range(n):
        r, c = divmod(i, cols)
        cells.append((lon0 + c * w, lat1 - (r + 1) * h, lon0 + (c + 1) * w, lat1 - r * h))
    return cells


def square(cell: tuple) -> str:
    lon0, lat0, lon1, lat1 = (round(v, 5) for v in cell)
    ring = [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]
    return json.dumps({"type": "Polygon", "coordinates": [ring]}, separators=(",", ":"))


def centre(cell: tuple) -> tuple[float, float]:
    return round((cell[1] + cell[3]) / 2, 5), round((cell[0] + cell[2]) / 2, 5)


def bbox_of(geometries: list) -> tuple | None:
    xs, ys = [], []
    for g in geometries:
        if not g:
            continue
        g = json.loads(g) if isinstance(g, str) else g
        polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        for poly in polys:
            for x, y in poly[0]:
                xs.append(x)
                ys.append(y)
    return (min(xs), min(ys), max(xs), max(ys)) if xs else None


# The database side: COPY on PostgreSQL, executemany on SQLite.


class Sink:
    """Writes rows (tuples of str/int/None) to a table; `ts` formats a UTC epoch second."""

    def __init__(self, connection):
        self.connection = connection
        self.postgres = connection.vendor == "postgresql"
        self.true, self.false = ("t", "f") if self.postgres else (1, 0)
        self.tz = "+00" if self.postgres else ""
        self._minutes: dict[int, str] = {}

    def ts(self, epoch: int) -> str:
        minute, second = divmod(epoch, 60)
        prefix = self._minutes.get(minute)
        if prefix is None:
            prefix = dt.datetime.fromtimestamp(minute * 60, dt.UTC).strftime("%Y-%m-%d %H:%M:")
            self._minutes[minute] = prefix
        return f"{prefix}{second:02d}{self.tz}"

    def write(self, table: str, columns: list[str], rows) -> int:
        """Insert `rows` (an iterable) into `table`; returns how many."""
        if self.postgres:
            return self._copy(table, columns, rows)
        sql = 'INSERT INTO "{}" ({}) VALUES ({})'.format(
            table, ", ".join(f'"{c}"' for c in columns), ", ".join("?" * len(columns))
        )
        n = 0
        raw = self.connection.connection
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 20_000:
                raw.executemany(sql, batch)
                n += len(batch)
                batch = []
        if batch:
            raw.executemany(sql, batch)
            n += len(batch)
        return n

    def _copy(self, table: str, columns: list[str], rows) -> int:
        cols = ", ".join(f'"{c}"' for c in columns)
        n = 0
        with self.connection.cursor() as cursor:
            with cursor.cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                buf = []
                for row in rows:
                    buf.append(
                        "\t".join(
                            "\\N" if v is None else v if v.__class__ is str else str(v) for v in row
                        )
                    )
                    if len(buf) >= 5_000:
                        buf.append("")
                        copy.write("\n".join(buf))
                        n += len(buf) - 1
                        buf = []
                if buf:
                    buf.append("")
                    copy.write("\n".join(buf))
                    n += len(buf) - 1
        return n


class Progress:
    def __init__(self, what: str, total: int):
        self.what, self.total, self.done = what, total, 0
        self.started = self.last = time.monotonic()

    def add(self, n: int) -> None:
        self.done += n
        now = time.monotonic()
        if now - self.last >= 5 or self.done >= self.total:
            self.last = now
            rate = self.done / max(now - self.started, 1e-9)
            eta = (self.total - self.done) / rate if rate else 0
            log(
                f"  {self.what}: {self.done:,}/{self.total:,} "
                f"({rate:,.0f} rows/s, ETA {eta:,.0f} s)"
            )

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started


# The plan: which regions, in memory, before anything is written.


@dataclass
class Place:
    """A village or kecamatan that reports: ids, codes and where it is."""

    id: int
    code: str
    level: str
    kecamatan_id: int
    regency: int  # index into Plan.regencies
    tps: int  # TPS in the village (0 for a kecamatan)
    lat: float | None
    lon: float | None


@dataclass
class Plan:
    regions: list[tuple] = field(default_factory=list)  # rows to insert
    villages: list[Place] = field(default_factory=list)
    kecamatan: dict[int, Place] = field(default_factory=dict)  # id -> place
    regencies: list[str] = field(default_factory=list)  # codes
    tps_rows: int = 0


REGION_COLUMNS = [
    "id", "code", "name", "level", "kind", "parent_id", "geometry", "centroid_lat", "centroid_lon",
]  # fmt: skip


def plan_regions(size: str, rng: random.Random, next_id: int) -> Plan:
    from pantau.regions.models import Region

    spec = SIZES[size]
    plan = Plan()
    existing = {
        r["code"]: r
        for r in Region.objects.values(
            "id", "code", "level", "parent_id", "geometry", "centroid_lat", "centroid_lon"
        )
    }
    ids = {code: r["id"] for code, r in existing.items()}
    counter = [next_id]

    def new(code, name, level, kind, parent_code, cell, geometry=True):
        rid = counter[0]
        counter[0] += 1
        ids[code] = rid
        lat, lon = centre(cell) if cell else (None, None)
        plan.regions.append(
            (
                rid,
                code,
                name,
                level,
                kind,
                ids.get(parent_code),
                square(cell) if geometry and cell else None,
                lat,
                lon,
            )
        )
        return rid

    def add_tps(village_id, village_code, n, lat, lon):
        for t in range(1, n + 1):
            rid = counter[0]
            counter[0] += 1
            plan.regions.append(
                (rid, f"{village_code}.{t:03d}", f"{t:03d}", "tps", "", village_id, None, lat, lon)
            )
        plan.tps_rows += n

    # Probolinggo's real villages, with TPS.
    plan.regencies.append("35.13")
    real_kec = {
        c: r for c, r in existing.items() if r["level"] == "kecamatan" and c.startswith("35.13.")
    }
    real_desa = sorted(
        c for c, r in existing.items() if r["level"] == "desa" and c.startswith("35.13.")
    )
    tps_counts = spread(spec["tps_probolinggo"], len(real_desa), rng)
    for code, kec in sorted(real_kec.items()):
        plan.kecamatan[kec["id"]] = Place(
            kec["id"], code, "kecamatan", kec["id"], 0, 0, kec["centroid_lat"], kec["centroid_lon"]
        )
    for code, n in zip(real_desa, tps_counts, strict=True):
        r = existing[code]
        kec_id = ids[code.rsplit(".", 1)[0]]
        plan.villages.append(
            Place(r["id"], code, "desa", kec_id, 0, n, r["centroid_lat"], r["centroid_lon"])
        )
        add_tps(r["id"], code, n, r["centroid_lat"], r["centroid_lon"])

    def regency_tree(code, name, kind, parent, cell, n_kec, n_desa, n_tps):
        new(code, name, "kabupaten", kind, parent, cell)
        index = len(plan.regencies)
        plan.regencies.append(code)
        desa_per_kec = spread(n_desa, n_kec, rng)
        tps_per_desa = spread(n_tps, n_desa, rng)
        t = 0
        for k, (kcell, nd) in enumerate(zip(grid(cell, n_kec), desa_per_kec, strict=True)):
            kcode = f"{code}.{k + 1:02d}"
            kid = new(kcode, f"Kecamatan Sintetis {kcode}", "kecamatan", "", code, kcell)
            lat, lon = centre(kcell)
            plan.kecamatan[kid] = Place(kid, kcode, "kecamatan", kid, index, 0, lat, lon)
            for d, dcell in enumerate(grid(kcell, nd)):
                dcode = f"{kcode}.{2001 + d}"
                did = new(dcode, f"Desa Sintetis {dcode}", "desa", "desa", kcode, dcell)
                lat, lon = centre(dcell)
                n = tps_per_desa[t]
                t += 1
                plan.villages.append(Place(did, dcode, "desa", kid, index, n, lat, lon))
                add_tps(did, dcode, n, lat, lon)

    def province_tree(pcode, cell, regency_codes, totals, skip=()):
        codes = [c for c in regency_codes if f"{pcode}.{c}" not in skip]
        cells = grid(cell, len(regency_codes))
        cell_of = dict(zip(regency_codes, cells, strict=True))
        n_kec = spread(totals["kecamatan"], len(codes), rng)
        n_desa = spread(totals["desa"], sum(n_kec), rng)
        n_tps = spread(totals["tps"], totals["desa"], rng)
        d = t = 0
        for c, nk in zip(codes, n_kec, strict=True):
            nd = sum(n_desa[d : d + nk])
            nt = sum(n_tps[t : t + nd])
            d += nk
            t += nd
            kind = "kota" if int(c) >= 71 else "kabupaten"
            regency_tree(
                f"{pcode}.{c}",
                f"{kind.capitalize()} Sintetis {pcode}.{c}",
                kind,
                pcode,
                cell_of[c],
                nk,
                nd,
                nt,
            )

    if size in ("province", "nation"):
        province_tree("35", JAWA_TIMUR, JATIM, spec["jatim"], skip={"35.13"})
    if size == "nation":
        others = [p for p in PROVINCES if p != "35"]
        per_province = spread(spec["others"]["kabupaten"], len(others), rng, jitter=0.2)
        kec = spread(spec["others"]["kecamatan"], len(others), rng, jitter=0.2)
        desa = spread(spec["others"]["desa"], len(others), rng, jitter=0.2)
        tps = spread(spec["others"]["tps"], len(others), rng, jitter=0.2)
        cells = dict(zip(PROVINCES, grid(INDONESIA, len(PROVINCES)), strict=True))
        for p, nr, nk, nd, nt in zip(others, per_province, kec, desa, tps, strict=True):
            new(p, f"Provinsi Sintetis {p}", "provinsi", "", None, cells[p])
            n_kab = max(1, nr - nr // 5)
            codes = [f"{n:02d}" for n in range(1, n_kab + 1)]
            codes += [f"{n:02d}" for n in range(71, 71 + nr - n_kab)]
            province_tree(p, cells[p], codes, {"kecamatan": nk, "desa": nd, "tps": nt})
    return plan


# Reports and problems.


def weighted(pairs):
    values = [v for v, *_ in pairs]
    cum, total = [], 0
    for _v, w, *_ in pairs:
        total += w
        cum.append(total)
    return values, cum


class Context:
    """What the rows refer to: the demo operation, its stages, checklists and categories."""

    def __init__(self):
        from pantau.instruction.models import DEFAULT_DEADLINES, Category, Checklist, Operation
        from pantau.lib.clock import WIB

        self.operation = Operation.objects.select_related("region").get(
            region__code="35.13", status=Operation.Status.ACTIVE
        )
        stages = list(self.operation.stages.filter(is_active=True).order_by("starts_on"))
        self.first_day = stages[0].starts_on
        self.last_day = stages[-1].ends_on
        checklists = {
            c.stage_id: c
            for c in Checklist.objects.filter(operation=self.operation, is_active=True).order_by(
                "order", "pk"
            )
        }
        self.day_stage: dict[int, tuple] = {}  # WIB day ordinal -> (stage id, checklist, answers)
        for stage in stages:
            checklist = checklists.get(stage.pk)
            answers = [
                json.dumps(a, ensure_ascii=False, separators=(",", ":"))
                for a in _answer_variants(checklist)
            ]
            day = stage.starts_on
            while day <= stage.ends_on:
                self.day_stage[day.toordinal()] = (
                    stage.pk,
                    checklist.pk if checklist else None,
                    answers,
                )
                day += dt.timedelta(days=1)
        self.epoch0 = int(dt.datetime.combine(self.first_day, dt.time(), WIB).timestamp())
        self.days = (self.last_day - self.first_day).days + 1
        voting = min(
            (e.voting_day for e in self.operation.elections.all()), default=dt.date(2024, 11, 27)
        )
        self.voting_epoch = int(dt.datetime.combine(voting, dt.time(), WIB).timestamp())
        self.categories = list(
            Category.objects.filter(is_active=True)
            .order_by("order", "pk")
            .values_list("pk", "name")
        )
        deadlines = {**DEFAULT_DEADLINES, **(self.operation.deadlines or {})}
        self.deadlines = {
            s: (int(deadlines[s]["acknowledge"] * 3600), int(deadlines[s]["resolve"] * 3600))
            for s, _w in SEVERITIES
        }


def _answer_variants(checklist) -> list[dict]:
    """A few plausible answer sets for a checklist: all fine, and some with a finding."""
    if checklist is None:
        return [{}]
    variants = []
    for finding in (False, False, False, True):
        answers = {}
        for q in checklist.questions:
            kind = q.get("type")
            if kind == "yes_no":
                answers[q["code"]] = "ya" if finding and len(answers) % 2 else "tidak"
            elif kind == "choice" and q.get("choices"):
                answers[q["code"]] = q["choices"][1 if finding and len(q["choices"]) > 1 else 0]
            elif kind == "number":
                answers[q["code"]] = 2 if finding else 0
        variants.append(answers)
    return variants


REPORT_COLUMNS = [
    "id", "client_id", "operation_id", "region_id", "tps", "stage_id", "checklist_id",
    "author_id", "observed_at", "received_at", "channel", "situation", "answers", "narrative",
    "lat", "lon", "location_flagged", "location_distance_km", "checklist_complete",
]  # fmt: skip
PROBLEM_COLUMNS = [
    "id", "client_id", "operation_id", "title", "description", "category_id", "severity",
    "region_id", "tps", "stage_id", "report_id", "reporter_id", "suggestion", "solution",
    "status", "level", "owner_id", "duplicate_of_id", "acknowledge_due_at", "resolve_due_at",
    "acknowledge_escalated", "resolve_escalated", "lat", "lon", "version", "created_at",
    "updated_at", "resolved_at",
]  # fmt: skip


def check_columns() -> None:
    """Fail clearly when a model gained a column this generator does not fill."""
    from pantau.monitoring.models import Report
    from pantau.problems.models import Problem
    from pantau.regions.models import Region

    for model, columns in (
        (Region, REGION_COLUMNS),
        (Report, REPORT_COLUMNS),
        (Problem, PROBLEM_COLUMNS),
    ):
        have = {f.column for f in model._meta.concrete_fields}
        missing = sorted(have - set(columns))
        if missing or set(columns) - have:
            raise SystemExit(
                f"bench/generate.py is out of date for {model._meta.db_table}: "
                f"columns {missing or sorted(set(columns) - have)}"
            )


def make_authors(plan: Plan, rng: random.Random) -> list[list[int]]:
    """A handful of synthetic field monitors per regency (territory: the regency), created
    through the ORM with unusable passwords; returns user ids per regency index."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from pantau.instruction.models import Role
    from pantau.regions.models import Region

    User = get_user_model()
    unusable = make_password(None)
    users = [
        User(
            username=f"bench-{code.replace('.', '')}-{n}",
            full_name=f"Pemantau {code} #{n}",
            role=Role.MONITOR,
            password=unusable,
        )
        for code in plan.regencies
        for n in range(1, AUTHORS_PER_REGENCY + 1)
    ]
    User.objects.bulk_create(users, batch_size=2000)
    by_name = dict(User.objects.filter(username__startswith="bench-").values_list("username", "id"))
    region_ids = dict(Region.objects.filter(code__in=plan.regencies).values_list("code", "id"))
    through = User.regions.through
    links, authors = [], []
    for code in plan.regencies:
        ids = [
            by_name[f"bench-{code.replace('.', '')}-{n}"] for n in range(1, AUTHORS_PER_REGENCY + 1)
        ]
        authors.append(ids)
        links += [through(user_id=uid, region_id=region_ids[code]) for uid in ids]
    through.objects.bulk_create(links, batch_size=5000)
    return authors


def camat_by_kecamatan() -> dict[int, int]:
    """Probolinggo's demo camat accounts by their kecamatan's id: they author their kecamatan's
    reports, so that the compliance figures have something to count."""
    from django.contrib.auth import get_user_model

    rows = (
        get_user_model()
        .objects.filter(role="camat", is_active=True, position__region__isnull=False)
        .values_list("position__region_id", "id")
    )
    return dict(rows)


def report_rows(ctx, plan, authors, camats, sink, n_reports, n_problems, rng, first_id, problems):
    """Yield report rows; for about 70 % of `n_problems` (chosen among the reports) hand a
    problem seed (report id, place, tps, stage, author, epoch) to `problems`."""
    situations, sit_cum = weighted(SITUATIONS)
    channels, ch_cum = weighted(CHANNELS)
    hours = list(range(24))
    hour_w = [1, 1, 1, 1, 1, 2, 4, 7, 9, 9, 9, 8, 7, 7, 8, 8, 9, 8, 6, 5, 4, 3, 2, 1]
    villages, n_v = plan.villages, len(plan.villages)
    kec_places = plan.kecamatan
    p_problem = min(1.0, 0.7 * n_problems / max(n_reports, 1))
    uuid_bits = rng.getrandbits
    rand = rng.random
    chunk = 10_000
    rid = first_id
    for start in range(0, n_reports, chunk):
        k = min(chunk, n_reports - start)
        picks = [villages[int(rand() * n_v)] for _ in range(k)]
        sits = rng.choices(situations, cum_weights=sit_cum, k=k)
        chans = rng.choices(channels, cum_weights=ch_cum, k=k)
        hrs = rng.choices(hours, weights=hour_w, k=k)
        for i in range(k):
            place = picks[i]
            r = rand()
            if r < 0.35:  # voting day, 06:00-22:00 WIB
                epoch = ctx.voting_epoch + 6 * 3600 + int(rand() * 16 * 3600)
            else:
                epoch = (
                    ctx.epoch0 + int(rand() * ctx.days) * 86400 + hrs[i] * 3600 + int(rand() * 3600)
                )
            voting = r < 0.35
            if rand() < 0.1:  # a kecamatan-level report
                place = kec_places[place.kecamatan_id]
                tps = ""
                author = camats.get(place.id) or authors[place.regency][int(rand() * 4)]
            else:
                tps = (
                    f"{1 + int(rand() * place.tps):03d}"
                    if place.tps and (voting or rand() < 0.3)
                    else ""
                )
                author = authors[place.regency][int(rand() * AUTHORS_PER_REGENCY)]
            day = (epoch + 7 * 3600) // 86400 + 719163  # WIB day ordinal
            stage_id, checklist_id, answers = ctx.day_stage.get(day, (None, None, ["{}"]))
            delay = int(rand() * 240) if rand() < 0.97 else int(rand() * 6 * 3600)
            sit = sits[i]
            located = rand() < 0.6 and place.lat is not None
            yield (
                rid,
                f"{uuid_bits(128):032x}",
                ctx.operation.pk,
                place.id,
                tps,
                stage_id,
                checklist_id,
                author,
                sink.ts(epoch),
                sink.ts(epoch + delay),
                chans[i],
                sit,
                answers[3 if sit != "aman" else int(rand() * 3)]
                if len(answers) == 4
                else answers[0],
                NARRATIVES[int(rand() * len(NARRATIVES))],
                f"{place.lat + (rand() - 0.5) * 0.01:.5f}" if located else None,
                f"{place.lon + (rand() - 0.5) * 0.01:.5f}" if located else None,
                sink.false,
                None,
                sink.true,
            )
            if rand() < p_problem:
                problems.append((rid, place, tps, stage_id, author, epoch + delay))
            rid += 1


def problem_rows(ctx, plan, authors, seeds, sink, n_problems, rng, first_id):
    """Yield problem rows: from the report seeds, then from random places and times."""
    severities, sev_cum = weighted(SEVERITIES)
    states, st_cum = weighted(STATES)
    version = {s: v for s, _w, v in STATES}
    cats = ctx.categories
    rand = rng.random
    villages, n_v = plan.villages, len(plan.villages)
    pid = first_id
    for i in range(n_problems):
        if i < len(seeds):
            report_id, place, tps, stage_id, reporter, created = seeds[i]
            created += 60 + int(rand() * 1800)
        else:
            report_id = None
            place = villages[int(rand() * n_v)]
            if rand() < 0.2:
                place = plan.kecamatan[place.kecamatan_id]
            tps = ""
            created = ctx.epoch0 + int(rand() * ctx.days * 86400)
            day = (created + 7 * 3600) // 86400 + 719163
            stage_id = ctx.day_stage.get(day, (None,))[0]
            reporter = authors[place.regency][int(rand() * AUTHORS_PER_REGENCY)]
        severity = rng.choices(severities, cum_weights=sev_cum)[0]
        status = rng.choices(states, cum_weights=st_cum)[0]
        level = place.level
        r = rand()
        if r < 0.15:
            level = LEVEL_UP[level]
        elif r < 0.2:
            level = "kabupaten"
        ack, res = ctx.deadlines[severity]
        resolved = created + int(res * (0.2 + rand() * 1.3)) if status == "selesai" else None
        updated = resolved or created + int(rand() * ack)
        is_open = status in ("baru", "diverifikasi", "ditangani")
        cat_id, cat_name = cats[int(rand() * len(cats))]
        yield (
            pid,
            f"{rng.getrandbits(128):032x}",
            ctx.operation.pk,
            f"{cat_name}: temuan {pid}",
            "Temuan dari pemantauan lapangan, perlu ditindaklanjuti.",
            cat_id,
            severity,
            place.id,
            tps,
            stage_id,
            report_id,
            reporter,
            "Koordinasi dengan PPK dan Panwascam." if rand() < 0.5 else "",
            "Sudah ditangani bersama aparat setempat." if status == "selesai" else "",
            status,
            level,
            None,
            pid - 1 if status == "duplikat" and pid > first_id else None,
            sink.ts(created + ack),
            sink.ts(created + res),
            sink.true if is_open else sink.false,
            sink.true if is_open and status != "baru" else sink.false,
            f"{place.lat:.5f}" if place.lat is not None and rand() < 0.5 else None,
            f"{place.lon:.5f}" if place.lat is not None and rand() < 0.5 else None,
            version[status],
            sink.ts(created),
            sink.ts(updated),
            sink.ts(resolved) if resolved else None,
        )
        pid += 1


# Index handling on PostgreSQL: drop the secondary indexes of a big table during the load and
# recreate them from their exact definitions (pg_indexes.indexdef), whatever happens.


def secondary_indexes(cursor, table: str) -> list[tuple[str, str]]:
    cursor.execute(
        """SELECT i.indexname, i.indexdef FROM pg_indexes i
           WHERE i.tablename = %s AND i.schemaname = current_schema()
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""",
        [table],
    )
    return list(cursor.fetchall())


def max_id(cursor, table: str) -> int:
    cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
    return cursor.fetchone()[0]


def table_sizes(connection, tables) -> dict[str, str]:
    sizes = {}
    with connection.cursor() as cursor:
        for table in tables:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT pg_size_pretty(pg_total_relation_size(%s))", [table])
                sizes[table] = cursor.fetchone()[0]
            else:
                try:
                    cursor.execute("SELECT SUM(pgsize) FROM dbstat WHERE name = %s", [table])
                    sizes[table] = f"{(cursor.fetchone()[0] or 0) / 2**20:.0f} MB"
                except Exception:  # dbstat is not compiled into every SQLite
                    sizes[table] = "?"
    return sizes


def generate(
    size: str, *, scale: float = 1.0, seed: int = 2024, quiet: bool = False, rollups: bool = True
) -> dict:
    """Generate `size` (see SIZES) into the configured database; returns counts and timings.

    `rollups=False` leaves the dashboard's rollups unbuilt (run `pantau rebuildrollups` later,
    e.g. to time it alone)."""
    from django.core.management.color import no_style
    from django.db import connection, transaction

    from pantau.monitoring.models import Report
    from pantau.problems.models import Problem
    from pantau.regions.models import Region

    global log
    if quiet:
        log = _quiet
    from django.contrib.auth import get_user_model

    if get_user_model().objects.filter(username__startswith="bench-").exists():
        raise SystemExit(
            "This database already holds bench data: generate into a fresh one "
            "(bench/run.py makes one)."
        )
    check_columns()
    rng = random.Random(f"{seed}:{size}")
    started = time.monotonic()
    spec = SIZES[size]
    n_reports = int(spec["reports"] * scale)
    n_problems = int(spec["problems"] * scale)
    ctx = Context()
    sink = Sink(connection)
    timings = {}
    with connection.cursor() as cursor:
        first_region = max_id(cursor, Region._meta.db_table) + 1
        first_report = max_id(cursor, Report._meta.db_table) + 1
        first_problem = max_id(cursor, Problem._meta.db_table) + 1

    t = time.monotonic()
    plan = plan_regions(size, rng, first_region)
    log(
        f"planned {len(plan.regions):,} regions ({plan.tps_rows:,} TPS), "
        f"{len(plan.villages):,} villages, {len(plan.kecamatan):,} kecamatan, "
        f"{len(plan.regencies):,} regencies in {time.monotonic() - t:.1f} s"
    )
    saved: dict[str, list] = {}
    with transaction.atomic():
        if sink.postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
                cursor.execute("SET LOCAL synchronous_commit = off")
                cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
                if n_reports >= 200_000:
                    for table in (Report._meta.db_table, Problem._meta.db_table):
                        saved[table] = secondary_indexes(cursor, table)
                        for name, _definition in saved[table]:
                            cursor.execute(f'DROP INDEX "{name}"')
        progress = Progress("regions", len(plan.regions))
        progress.add(sink.write(Region._meta.db_table, REGION_COLUMNS, plan.regions))
        timings["regions"] = progress.seconds
        _outline_regencies(plan)
        authors = make_authors(plan, rng)
        camats = camat_by_kecamatan()
        seeds: list = []
        progress = Progress("reports", n_reports)

        def counted(rows, step=50_000):
            n = 0
            for row in rows:
                yield row
                n += 1
                if n == step:
                    progress.add(n)
                    n = 0
            progress.add(n)

        sink.write(
            Report._meta.db_table,
            REPORT_COLUMNS,
            counted(
                report_rows(
                    ctx,
                    plan,
                    authors,
                    camats,
                    sink,
                    n_reports,
                    n_problems,
                    rng,
                    first_report,
                    seeds,
                )
            ),
        )
        timings["reports"] = progress.seconds
        progress = Progress("problems", n_problems)
        sink.write(
            Problem._meta.db_table,
            PROBLEM_COLUMNS,
            counted(problem_rows(ctx, plan, authors, seeds, sink, n_problems, rng, first_problem)),
        )
        timings["problems"] = progress.seconds
        del seeds
        # (a failure rolls the whole load back, the dropped indexes with it)
        if saved:
            t = time.monotonic()
            with connection.cursor() as cursor:
                for indexes in saved.values():
                    for name, definition in indexes:
                        log(f"  recreating {name} ...")
                        cursor.execute(definition)
            timings["indexes"] = time.monotonic() - t
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Region, Report, Problem]):
                cursor.execute(sql)
    t = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["analyze"] = time.monotonic() - t
    if rollups:
        rebuild_rollups(timings)
    timings["total"] = time.monotonic() - started
    counts = {
        "regions": len(plan.regions),
        "tps": plan.tps_rows,
        "villages": len(plan.villages),
        "kecamatan": len(plan.kecamatan),
        "regencies": len(plan.regencies),
        "reports": n_reports,
        "problems": n_problems,
        "authors": len(plan.regencies) * AUTHORS_PER_REGENCY,
    }
    sizes = table_sizes(connection, ["regions_region", "monitoring_report", "problems_problem"])
    return {
        "size": size,
        "scale": scale,
        "seed": seed,
        "counts": counts,
        "timings": timings,
        "table_sizes": sizes,
        "database": connection.vendor,
    }


def rebuild_rollups(timings: dict) -> None:
    """COPY bypasses the write path that keeps the dashboard's rollups current: rebuild them
    when the project has them (`pantau rebuildrollups`)."""
    from django.core.management import call_command, get_commands

    if "rebuildrollups" not in get_commands():
        return
    log("rebuilding the dashboard's rollups (pantau rebuildrollups) ...")
    t = time.monotonic()
    call_command(
        "rebuildrollups", stdout=sys.stdout if log is not _quiet else open(os.devnull, "w")
    )
    timings["rollups"] = time.monotonic() - t


def _quiet(message: str) -> None:
    pass


def _outline_regencies(plan: Plan) -> None:
    """Give a province or regency that the real loader left without a boundary (Probolinggo's
    kabupaten, Jawa Timur) the box of its children, so that the map can draw it."""
    from pantau.regions.models import Region

    for level, child in (("kabupaten", "kecamatan"), ("provinsi", "kabupaten")):
        for region in Region.objects.filter(level=level, geometry__isnull=True):
            box = bbox_of(
                list(
                    Region.objects.filter(parent=region, level=child).values_list(
                        "geometry", flat=True
                    )
                )
            )
            if box:
                lat, lon = centre(box)
                Region.objects.filter(pk=region.pk).update(
                    geometry=json.loads(square(box)), centroid_lat=lat, centroid_lon=lon
                )


def ensure_demo() -> None:
    """Run `pantau setup-demo` when the database has no operation yet."""
    from django.db import connection

    from pantau.instruction.models import Operation

    tables = connection.introspection.table_names()
    if "instruction_operation" in tables and Operation.objects.exists():
        return
    log("empty database: running pantau setup-demo ...")
    from pantau.demo.setup import setup_demo

    setup_demo(progress=lambda m: log(f"  {m}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=list(SIZES), default="regency")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiply the number of reports and problems"
    )
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--json", help="also write the summary to this file")
    parser.add_argument(
        "--no-rollups",
        dest="rollups",
        action="store_false",
        help="do not run `pantau rebuildrollups` at the end (time it separately)",
    )
    args = parser.parse_args()
    import django

    django.setup()
    ensure_demo()
    result = generate(args.size, scale=args.scale, seed=args.seed, rollups=args.rollups)
    c, t = result["counts"], result["timings"]
    log(
        f"\n{args.size} on {result['database']}: {c['regencies']:,} regencies, "
        f"{c['kecamatan']:,} kecamatan, {c['villages']:,} villages, {c['tps']:,} TPS, "
        f"{c['reports']:,} reports, {c['problems']:,} problems, {c['authors']:,} authors"
    )
    log("timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in t.items()))
    log("table sizes: " + ", ".join(f"{k} {v}" for k, v in result["table_sizes"].items()))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
