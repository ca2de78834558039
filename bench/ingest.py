"""Ingest benchmark: field reports per second through the HTTP API, beside the same server's
rate for a trivial authenticated endpoint (the framework's floor on this machine) and the raw
database's insert rate of the same rows (the storage floor).

    .venv/bin/python bench/ingest.py [--reports 2000] [--clients 16] [--workers 5] [--threads 4]
                                     [--rounds 4]
                                     [--database sqlite|postgres]

Starts `pantau demo` in a fresh data directory on 127.0.0.1: SQLite by default (or the
database of $DATABASE_URL, as it is); with `--database postgres` a fresh PostgreSQL database
`pantau_bench_ingest` (dropped and created; the server is $PANTAU_BENCH_POSTGRES, default
postgres://postgres@127.0.0.1:5432). It takes an
API token for a village account and sends reports from concurrent clients over keep-alive
connections, sampling the server's memory (the RSS of gunicorn's master, its workers and the
task consumer, summed) meanwhile. Then, with the server stopped, it checks that every report
answered 2xx is stored exactly once and that the audit chain verifies, and measures the storage
floor: the same rows INSERTed in plain SQL, one transaction per report, from as many threads as
there were clients. Prints a table. Nothing leaves 127.0.0.1.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psutil

PANTAU = str(Path(sys.executable).parent / "pantau")
BENCH_DB = "pantau_bench_ingest"
VILLAGE, REGION = "desa-3513012001", "35.13.01.2001"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_postgres() -> str:
    """Drop and create the bench database; its URL."""
    import psycopg

    server = os.environ.get("PANTAU_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    return f"{server}/{BENCH_DB}"


def start_server(env: dict, data: str, workers: int, threads: int):
    port = free_port()
    print(f"starting pantau demo on 127.0.0.1:{port} (data in {data}) ...", flush=True)
    log = open(Path(data) / "server.log", "wb")  # noqa: SIM115 (open while the server runs)
    proc = subprocess.Popen(
        [PANTAU, "demo", "--port", str(port), "--workers", str(workers), "--threads", str(threads)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 900  # setting up the demo takes minutes on a busy machine
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/masuk/")
            if conn.getresponse().status == 200:
                return proc, port
        except OSError:
            pass
        time.sleep(0.5)
    proc.kill()
    tail = (Path(data) / "server.log").read_text(errors="replace")[-3000:]
    raise SystemExit(f"the server did not start:\n{tail}")


def stop_server(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class RssSampler(threading.Thread):
    """The peak of the summed RSS of a process and all its descendants, sampled every 0.1 s."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.peak = 0
        self.stopped = threading.Event()

    def sample(self) -> int:
        total = 0
        for proc in [self.root, *self.root.children(recursive=True)]:
            try:
                total += proc.memory_info().rss
            except psutil.Error:  # ended meanwhile
                pass
        return total

    interval = 0.1

    def run(self):
        while not self.stopped.wait(self.interval):
            try:
                self.peak = max(self.peak, self.sample())
            except psutil.Error:
                return

    def reset(self) -> None:
        self.peak = self.sample()

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of the process and its descendants so far."""
        total = 0.0
        for proc in [self.root, *self.root.children(recursive=True)]:
            try:
                times = proc.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
        return total


def token(port: int, username: str) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port)
    body = json.dumps(
        {"username": username, "password": os.environ.get("PANTAU_DEMO_PASSWORD", "pantau-demo")}
    )
    conn.request("POST", "/api/v1/auth/token", body, {"Content-Type": "application/json"})
    response = conn.getresponse()
    data = json.loads(response.read())
    if response.status != 200:
        raise SystemExit(f"no token for {username}: {response.status} {data}")
    return data["token"]


def run(port: int, total: int, clients: int, make_request, on_response=None, first=0) -> dict:
    """Send `total` requests (numbered from `first`) from `clients` threads; returns rate,
    latencies and statuses."""
    counter = iter(range(first, first + total))
    lock = threading.Lock()
    latencies, statuses = [], {}

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            method, path, body, headers = make_request(i)
            started = time.perf_counter()
            try:
                conn.request(method, path, body, headers)
                response = conn.getresponse()
                content = response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                status, content = "error", b""
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1
                if on_response is not None:
                    on_response(i, status, content)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "rate": total / wall,
        "p50": latencies[len(latencies) // 2] * 1000,
        "p95": latencies[int(len(latencies) * 0.95)] * 1000,
        "statuses": statuses,
        "n": total,
        "wall": wall,
        "latencies": [s * 1000 for s in latencies],
    }


def measured(sampler: RssSampler, *args, **kwargs) -> dict:
    """`run(*args, **kwargs)` with the peak RSS and the server's CPU seconds during it."""
    sampler.reset()
    cpu = sampler.cpu_seconds()
    result = run(*args, **kwargs)
    result["rss"], result["cpu"] = sampler.peak, sampler.cpu_seconds() - cpu
    return result


class Totals:
    """The rounds of one kind of request, summed: rate over the whole time, latencies pooled."""

    def __init__(self):
        self.rounds = []

    def add(self, result: dict) -> None:
        self.rounds.append(result)

    @property
    def rates(self) -> list[float]:
        return [r["rate"] for r in self.rounds]

    def result(self) -> dict:
        latencies = sorted(ms for r in self.rounds for ms in r["latencies"])
        statuses: dict = {}
        for r in self.rounds:
            for status, n in r["statuses"].items():
                statuses[status] = statuses.get(status, 0) + n
        merged = {
            "rate": sum(r["n"] for r in self.rounds) / sum(r["wall"] for r in self.rounds),
            "p50": latencies[len(latencies) // 2],
            "p95": latencies[int(len(latencies) * 0.95)],
            "statuses": statuses,
        }
        for key, combine in (("rss", max), ("pss", max), ("load", max), ("cpu", sum)):
            if key in self.rounds[0]:
                merged[key] = combine(r[key] for r in self.rounds)
        return merged


def setup_django(env: dict) -> None:
    """Django in this process, on the server's database (after the server stopped)."""
    os.environ.update({k: env[k] for k in ("PANTAU_DATA_DIR", "DATABASE_URL") if k in env})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pantau.settings")
    import django

    django.setup()


def check_stored(accepted: dict[str, int]) -> list[str]:
    """Problems found: a 2xx report missing or stored twice, a broken audit chain."""
    from django.db.models import Count

    from pantau.audit.models import AuditEntry
    from pantau.audit.sequencer import chain_queued
    from pantau.audit.verify import verify_chain
    from pantau.monitoring.models import Report

    problems = []
    ids = list(accepted)
    counts: dict[str, int] = {}
    for start in range(0, len(ids), 500):
        rows = (
            Report.objects.filter(client_id__in=ids[start : start + 500])
            .values("client_id")
            .annotate(n=Count("id"))
            .values_list("client_id", "n")
        )
        counts.update({str(client_id): n for client_id, n in rows})
    missing = [c for c in ids if counts.get(c, 0) == 0]
    twice = [c for c in ids if counts.get(c, 0) > 1]
    if missing:
        problems.append(f"{len(missing)} reports answered 2xx are missing, e.g. {missing[0]}")
    if twice:
        problems.append(f"{len(twice)} reports are stored more than once, e.g. {twice[0]}")
    audited = AuditEntry.objects.filter(action="report.create").count()
    if audited < len(ids):
        problems.append(f"only {audited} report.create audit entries for {len(ids)} reports")
    # The server stopped: its sequencer thread may have left a queued tail (its exit flush
    # is best effort); chain it here, so that what is verified is every acknowledged entry.
    chain_queued()
    result = verify_chain()
    if not result.ok:
        problems.append(f"audit chain broken at #{result.first_bad_id}: {result.reason}")
    if result.queued:
        problems.append(f"{result.queued} audit entries still unchained after the run")
    return problems


def storage_floor(total: int, clients: int) -> dict:
    """The database's own rate for the same rows: one plain-SQL INSERT of a Report row per
    transaction (no HTTP, no validation, no audit), from `clients` threads, each with its own
    connection."""
    from django.contrib.auth import get_user_model
    from django.db import connection, connections, transaction
    from django.utils import timezone

    from pantau.instruction.selectors import operation_for_region, stage_for
    from pantau.monitoring.models import Report
    from pantau.regions.models import Region

    region = Region.objects.get(code=REGION)
    author = get_user_model().objects.get(username=VILLAGE)
    operation = operation_for_region(region)
    observed = dt.datetime(2024, 10, 10, 2, 0, tzinfo=dt.UTC)
    stage = stage_for(operation, observed)
    checklist = stage.checklists.filter(is_active=True).first() if stage else None
    opts = Report._meta
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    qn = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        qn(opts.db_table), ", ".join(qn(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )

    def params(i: int) -> list:
        row = Report(
            client_id=uuid.uuid4(),
            operation=operation,
            region=region,
            stage=stage,
            checklist=checklist,
            author=author,
            observed_at=observed,
            received_at=timezone.now(),
            channel="api",
            situation="aman",
            answers={},
            narrative=f"Lantai bench {i}",
        )
        return [f.get_db_prep_save(f.pre_save(row, True), connection) for f in fields]

    counter = iter(range(total))
    lock = threading.Lock()

    def writer():
        try:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                values = params(i)
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(sql, values)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    stored = Report.objects.filter(narrative__startswith="Lantai bench ").count()
    return {"rate": total / wall, "stored": stored}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=5, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument(
        "--database",
        choices=["sqlite", "postgres"],
        help="a fresh SQLite file or PostgreSQL database (default: $DATABASE_URL when set, as "
        "it is, else SQLite)",
    )
    parser.add_argument(
        "--rounds", type=int, default=4, help="turns of floor and ingest the requests split into"
    )
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    args = parser.parse_args()

    data = tempfile.mkdtemp(prefix="pantau-bench-")
    env = {**os.environ, "PANTAU_DATA_DIR": data}
    if args.database is not None:
        env.pop("DATABASE_URL", None)
    # One account sends every report: lift its write limit (pantau.api.throttle) above the run,
    # so that the limit is counted on every request, as in production, but never reached.
    env.setdefault("PANTAU_API_WRITE_RATE", f"{args.reports * 10}/m")
    if args.database == "postgres":
        env["DATABASE_URL"] = fresh_postgres()
    proc, port = start_server(env, data, args.workers, args.threads)
    sampler = RssSampler(proc.pid)
    sampler.start()
    accepted: dict[str, int] = {}
    try:
        village = token(port, VILLAGE)
        auth = {"Authorization": f"Bearer {village}", "Content-Type": "application/json"}
        client_ids = [str(uuid.uuid4()) for _ in range(args.reports)]

        def trivial(i):
            return "GET", "/api/v1/me", None, auth

        def report(i):
            body = json.dumps(
                {
                    "client_id": client_ids[i],
                    "region": REGION,
                    "observed_at": "2024-10-10T09:00:00+07:00",
                    "status": "aman",
                    "narrative": f"Laporan bench {i}",
                }
            )
            return "POST", "/api/v1/reports", body, auth

        def note(i, status, content):
            if isinstance(status, int) and 200 <= status < 300:
                accepted[client_ids[i]] = accepted.get(client_ids[i], 0) + 1

        run(port, 200, args.clients, trivial)  # warm up every worker
        # The floor and the ingest take turns, round after round, so that a change in the
        # machine's load meets both; each is summed over its rounds.
        floor, ingest = Totals(), Totals()
        per_round = [args.reports // args.rounds] * args.rounds
        per_round[-1] += args.reports - sum(per_round)
        done = 0
        for n in per_round:
            floor.add(measured(sampler, port, n, args.clients, trivial))
            ingest.add(measured(sampler, port, n, args.clients, report, note, first=done))
            done += n
    finally:
        sampler.stopped.set()
        stop_server(proc)

    setup_django(env)
    problems = check_stored(accepted)
    storage = storage_floor(args.reports, args.clients)
    if storage["stored"] != args.reports:
        problems.append(f"storage floor stored {storage['stored']} of {args.reports} rows")

    database = args.database or env.get("DATABASE_URL", "sqlite").split(":", 1)[0]
    print(
        f"\ndatabase: {database}, {args.workers} workers x {args.threads} threads, "
        f"{args.clients} clients, {args.reports} requests each, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(f"{'what':<30}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'RSS MB':>9}{'CPU ms':>9}  statuses")
    for name, r in (
        ("GET /api/v1/me (framework floor)", floor.result()),
        ("POST /api/v1/reports (ingest)", ingest.result()),
    ):
        print(
            f"{name:<30}{r['rate']:>9.0f}{r['p50']:>9.1f}{r['p95']:>9.1f}"
            f"{r['rss'] / 2**20:>9.0f}{1000 * r['cpu'] / args.reports:>9.2f}  {r['statuses']}"
        )
    print(f"{'INSERT Report (storage floor)':<30}{storage['rate']:>9.0f}")
    rounds = ", ".join(f"{i / f:.2f}" for f, i in zip(floor.rates, ingest.rates, strict=True))
    floor, ingest = floor.result(), ingest.result()
    print(
        f"ingest / framework floor: {ingest['rate'] / floor['rate']:.2f} (target >= 0.7; "
        f"by round: {rounds})"
    )
    print("(CPU ms: the server's processes' CPU time per request, the task consumer's included)")
    print(f"ingest / storage floor:   {ingest['rate'] / storage['rate']:.2f}")
    print(
        f"server peak RSS during ingest (master + workers + task consumer): "
        f"{ingest['rss'] / 2**20:.0f} MB"
    )
    print(
        f"check: {len(accepted)} reports answered 2xx, each stored once, audit chain valid"
        if not problems
        else "check FAILED:\n  " + "\n  ".join(problems)
    )
    if not args.keep:
        shutil.rmtree(data, ignore_errors=True)
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
