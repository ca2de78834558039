"""The rollup job's cost: a full rebuild, and the every-minute run after a voting-day burst.

    .venv/bin/python bench/rollups.py [--rebuild] [--reports 41000] [--minutes 11]

Against the current DATABASE_URL / PANTAU_DATA_DIR (e.g. the national bench database that
`bench/generate.py --size nation` made). With `--rebuild`, first times `pantau rebuildrollups`'s
work (`refresh(full=True)`). Then brings the rollups up to date (`refresh()`, timed: the
catch-up), inserts `--reports` reports spread over every kecamatan's places (one per place
round-robin, villages and kecamatan alike), observed and received over the last `--minutes`
(within the job's overlap: as if the job had not run meanwhile or their transactions committed
late; the run rereads that window either way), and times the run that counts them; then one
more minute's worth of reports and its run (the steady state). Prints each figure with
/proc/loadavg. The reports are inserted with bulk_create (no audit entries, like the
generator's rows) and stay: the rollups count them, as the job would have.
"""

import argparse
import datetime as dt
import os
import random
import sys
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pantau.settings")


def loadavg() -> str:
    try:
        return Path("/proc/loadavg").read_text().strip()
    except OSError:
        return "?"


def figure(what: str, seconds: float, done: dict | None = None) -> None:
    extra = ""
    if done:
        extra = " ({})".format(
            ", ".join(f"{k} {v}" for k, v in done.items() if k in ("reports", "areas", "problems"))
        )
    print(f"{what}: {seconds:.1f} s{extra}; load average {loadavg()}", flush=True)


def burst(n: int, minutes: float, rng: random.Random) -> int:
    """Insert `n` reports over every kecamatan's places, received over the last `minutes`."""
    from django.utils import timezone

    from pantau.monitoring.models import Report
    from pantau.regions.models import Region
    from pantau.rollups.compute import LAG, OVERLAP, area_of

    template = Report.objects.filter(stage__isnull=False).order_by("-observed_at").first()
    if template is None:
        raise SystemExit("No reports to take the operation, stage and author from.")
    by_area: dict[str, list[int]] = {}
    places = Region.objects.filter(level__in=["kecamatan", "desa"]).values_list("pk", "code")
    for pk, code in places.iterator(chunk_size=20_000):
        area = area_of(code)
        if area:
            by_area.setdefault(area, []).append(pk)
    order = []  # round-robin over the kecamatan: every kecamatan gets its share
    pools = [rng.sample(ids, len(ids)) for ids in by_area.values()]
    while len(order) < n and pools:
        for pool in pools:
            if pool:
                order.append(pool.pop())
        pools = [p for p in pools if p]
    order = order[:n]
    now = timezone.now()
    span = min(dt.timedelta(minutes=minutes), OVERLAP - dt.timedelta(seconds=30))
    latest = now - LAG - dt.timedelta(seconds=1)
    rows = []
    for region_id in order:
        received = latest - span * rng.random()
        rows.append(
            Report(
                client_id=uuid.uuid4(),
                operation_id=template.operation_id,
                region_id=region_id,
                stage_id=template.stage_id,
                checklist_id=template.checklist_id,
                author_id=template.author_id,
                observed_at=received - dt.timedelta(seconds=rng.randrange(240)),
                received_at=received,
                channel="api",
                situation=rng.choices(["aman", "waspada", "rawan"], [85, 12, 3])[0],
                answers=template.answers,
            )
        )
    Report.objects.bulk_create(rows, batch_size=2000)
    return len(by_area)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true", help="time a full rebuild first")
    parser.add_argument("--reports", type=int, default=41_000)
    parser.add_argument("--minutes", type=float, default=11)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args()
    import django

    django.setup()
    from pantau.rollups.compute import refresh

    rng = random.Random(args.seed)
    began = [time.monotonic()]

    def progress(message: str) -> None:
        print(f"  [{time.monotonic() - began[0]:6.1f} s] {message}", flush=True)

    if args.rebuild:
        t = time.monotonic()
        began[0] = time.monotonic()
        done = refresh(full=True, progress=progress)
        figure("full rebuild", time.monotonic() - t, done)
    t = time.monotonic()
    done = refresh()
    figure("catch-up run", time.monotonic() - t, done)
    t = time.monotonic()
    areas = burst(args.reports, args.minutes, rng)
    print(f"inserted {args.reports:,} reports over {areas:,} kecamatan in "
          f"{time.monotonic() - t:.1f} s", flush=True)  # fmt: skip
    t = began[0] = time.monotonic()
    done = refresh(progress=progress)
    figure(f"run after {args.reports:,} reports", time.monotonic() - t, done)
    minute = max(1, round(args.reports / max(args.minutes, 1)))
    burst(minute, 1, rng)
    t = began[0] = time.monotonic()
    done = refresh(progress=progress)
    figure(f"next run ({minute:,} reports)", time.monotonic() - t, done)


if __name__ == "__main__":
    main()
