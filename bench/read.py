"""Read latency: the dashboard, its API and map, and compliance, per level; the regency's PDF.

    .venv/bin/python bench/read.py [--repeat 20] [--warmup 2] [--json FILE]

Runs in-process through the real URL routing, middleware, views and templates with Django's test
Client on the configured database (DATABASE_URL / PANTAU_DATA_DIR), whatever size is loaded:
no HTTP server, so the figures exclude gunicorn and the socket (a few ms). Pages use a logged-in
session; the API a bearer token issued to the same user. Levels:

  kecamatan  a camat of Probolinggo, their kecamatan
  regency    the Pj Bupati, the kabupaten (35.13)
  province   the administrator, the province (35, Jawa Timur)
  nation     the administrator, the national root (`?region=ID`, the node above the provinces:
             one row per province) for the dashboard page, its API and map, at the size loaded

Compliance covers the whole operation (25 Sep - 16 Dec 2024), the worst period one can ask; it is
per monitoring operation (a regency's instruction) and has no national level, so the nation
level has no compliance rows.
The periodic report is the regency's PDF for voting day, through the code path of
`pantau report` (content.build, then render.render), timed N times after a warm-up.
"""

import argparse
import datetime as dt
import gc
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pantau.settings")

OPERATION_DAYS = ("2024-09-25", "2024-12-16")
NATION = "ID"  # pantau.regions.models.NATION_CODE (read before Django is set up)
VOTING_DAY = dt.date(2024, 11, 27)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def levels() -> list[dict]:
    """Who reads what at each level (the users exist after setup-demo)."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    camat = (
        User.objects.filter(role="camat", is_active=True, position__region__isnull=False)
        .select_related("position__region")
        .order_by("username")
        .first()
    )
    admin = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    bupati = User.objects.filter(role="bupati", is_active=True).order_by("username").first()
    return [
        {"level": "kecamatan", "user": camat, "region": camat.position.region.code},
        {"level": "regency", "user": bupati, "region": "35.13"},
        {"level": "province", "user": admin, "region": "35"},
        {"level": "nation", "user": admin, "region": NATION, "compliance": False},
    ]


def endpoints(region: str | None, compliance: bool = True) -> list[tuple[str, str, str]]:
    """(name, kind, url) for one region; kind "page" uses the session, "api" the token."""
    q = f"region={region}&" if region else ""
    since, until = OPERATION_DAYS
    found = [
        ("dashboard page", "page", f"/dasbor/?{q}"),
        ("GET /api/v1/dashboard", "api", f"/api/v1/dashboard?{q}"),
        ("GET /api/v1/map.geojson", "api", f"/api/v1/map.geojson?{q}"),
    ]
    if compliance:
        found += [
            ("compliance page", "page", f"/kepatuhan/?{q}since={since}&until={until}"),
            ("GET /api/v1/compliance", "api", f"/api/v1/compliance?{q}since={since}&until={until}"),
        ]
    return found


def _time(fn, repeat: int, warmup: int) -> tuple[list[float], object]:
    result = None
    for _ in range(warmup):
        result = fn()
    # As the app servers do once they are loaded (pantau/wsgi.py): what exists now lives for the
    # whole process, and the collector need not walk it again at every full collection.
    gc.freeze()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return times, result


def measure(
    *,
    repeat: int = 20,
    warmup: int = 2,
    only: list[str] | None = None,
    pdf: bool = True,
    echo: bool = False,
) -> list[dict]:
    """Latency rows: {level, what, url, p50, p95, mean, n, status, queries}; times in ms.

    Every request must answer 200 (a failure is reported in `status`, never hidden)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from pantau.api.actions import do_issue_token

    rows = []
    for spec in levels():
        if only and spec["level"] not in only:
            continue
        user = spec["user"]
        client = Client()
        with override_settings(AXES_ENABLED=False):  # no login attempt to record: no real login
            client.force_login(user)
        key, _token = do_issue_token(user)
        headers = {"Authorization": f"Bearer {key}"}
        for name, kind, url in endpoints(spec["region"], spec.get("compliance", True)):

            def get(url=url, kind=kind, client=client, headers=headers):
                if kind == "api":
                    return client.get(url, headers=headers)
                return client.get(url)

            times, response = _time(get, repeat, warmup)
            with CaptureQueriesContext(connection) as queries:
                get()
            rows.append(
                {
                    "level": spec["level"],
                    "who": user.username,
                    "what": name,
                    "url": url,
                    "status": response.status_code,
                    "n": len(times),
                    "p50": percentile(times, 50),
                    "p95": percentile(times, 95),
                    "mean": statistics.fmean(times),
                    "queries": len(queries.captured_queries),
                }
            )
            if echo:
                print_table(rows[-1:], header=False)
    if pdf and (not only or "regency" in only):
        rows.append(measure_pdf(repeat=max(1, min(repeat, 3)), warmup=1))
    return rows


def measure_pdf(*, repeat: int = 3, warmup: int = 1, code: str = "35.13") -> dict:
    """The regency's periodic report for voting day as a PDF, as `pantau report` makes it."""
    from pantau.periodic import content, render
    from pantau.periodic.actions import check_period, resolve_scope
    from pantau.regions.models import Region

    region = Region.objects.get(code=code)
    scope, region, cluster, operation = resolve_scope(scope=None, region=region, cluster=None)
    check_period(VOTING_DAY, VOTING_DAY)

    def make():
        spec = content.Spec(
            operation=operation,
            scope=scope,
            region=region,
            cluster=cluster,
            start=VOTING_DAY,
            end=VOTING_DAY,
        )
        return render.render(content.build(spec), "pdf")

    times, payload = _time(make, repeat, warmup)
    return {
        "level": "regency",
        "who": "pantau report",
        "what": "periodic report PDF",
        "url": f"pantau report --region {code} --from {VOTING_DAY} --format pdf",
        "status": 200 if payload[:4] == b"%PDF" else 500,
        "n": len(times),
        "p50": percentile(times, 50),
        "p95": percentile(times, 95),
        "mean": statistics.fmean(times),
        "queries": None,
        "bytes": len(payload),
    }


def print_table(rows: list[dict], header: bool = True) -> None:
    if header:
        print(f"{'level':<10} {'what':<26}{'p50 ms':>9}{'p95 ms':>9}{'queries':>9}  status  who")
    for r in rows:
        queries = "" if r["queries"] is None else r["queries"]
        print(
            f"{r['level']:<10} {r['what']:<26}{r['p50']:>9.1f}{r['p95']:>9.1f}{queries:>9}"
            f"  {r['status']:<6}  {r['who']}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--level", action="append", choices=[
        "kecamatan", "regency", "province", "nation"])  # fmt: skip
    parser.add_argument("--no-pdf", action="store_true")
    parser.add_argument("--json", help="also write the rows to this file")
    args = parser.parse_args()
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    rows = measure(
        repeat=args.repeat, warmup=args.warmup, only=args.level, pdf=not args.no_pdf, echo=True
    )
    from django.db import connection

    print(f"\nread latency, in-process test Client, {connection.vendor}, {args.repeat} runs")
    print_table(rows)
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2, default=str))


if __name__ == "__main__":
    main()
