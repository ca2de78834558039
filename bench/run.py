"""All of Pantau's benchmarks in one command, with the targets of issue 6 marked met or missed.

    .venv/bin/python bench/run.py --size regency [--database sqlite|postgres] [--repeat 20]
                                  [--ingest-reports 2000] [--skip-ingest] [--keep]

1. a fresh data directory (and, on PostgreSQL, a fresh database `pantau_bench_<size>`, dropped
   first if it exists; the server is PANTAU_BENCH_POSTGRES, default
   postgres://postgres@127.0.0.1:5432/postgres);
2. `pantau setup-demo`, then bench/generate.py --size SIZE;
3. bench/read.py (in-process latency per level, and the regency's PDF);
4. bench/ingest.py (HTTP ingest against a server of its own, on a fresh database
   `pantau_bench_<size>_ingest` on PostgreSQL);
5. one table of all figures against the targets. The generated database is left in place
   (printed at the end) so that others can reuse it; the data directory too with --keep.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH = Path(__file__).resolve().parent
PYTHON = sys.executable
PANTAU = str(Path(PYTHON).parent / "pantau")
SERVER = os.environ.get("PANTAU_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")

TARGETS = {
    "ingest": 0.7,  # x the framework floor (issue 18)
    "regency_p95_ms": 100,
    "nation_p95_ms": 500,  # on PostgreSQL, at the national size
    "pdf_s": 3,
}


def fresh_database(name: str) -> str:
    """Drop and create `name` on the PostgreSQL server; returns its URL."""
    import psycopg

    parts = urlsplit(SERVER)
    with psycopg.connect(SERVER, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path="/" + name))


def step(title: str, command: list[str], env: dict, log: Path | None = None) -> float:
    print(f"\n== {title}: {' '.join(command)}", flush=True)
    started = time.monotonic()
    if log is None:
        subprocess.run(command, env=env, check=True)
    else:
        with log.open("w") as out:
            proc = subprocess.run(command, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)  # fmt: skip
            out.write(proc.stdout)
            print(proc.stdout[-4000:], flush=True)
            proc.check_returncode()
    return time.monotonic() - started


def parse_ingest(text: str) -> dict:
    """The rates of bench/ingest.py's table: {row name: per second}, e.g. "GET /api/v1/me
    (framework floor)", "POST /api/v1/reports (ingest)", "INSERT Report (storage floor)"."""
    rates = {}
    for line in text.splitlines():
        match = re.match(r"^([A-Z][^\t]*?\S)\s{2,}([\d.]+)(\s|$)", line)
        if match:
            rates[match.group(1)] = float(match.group(2))
    return rates


def _rate(rates: dict, prefix: str) -> float | None:
    return next((v for k, v in rates.items() if k.startswith(prefix)), None)


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "MISSED")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=["regency", "province", "nation"], default="regency")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--ingest-reports", type=int, default=2000)
    parser.add_argument("--skip-ingest", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix=f"pantau-bench-{args.size}-"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PANTAU_DATA_DIR"] = str(data)
    database = "sqlite"
    if args.database == "postgres":
        database = f"pantau_bench_{args.size}"
        env["DATABASE_URL"] = fresh_database(database)
    print(f"data directory {data}, database {database}", flush=True)
    times = {}
    times["setup-demo"] = step("setup", [PANTAU, "setup-demo"], env, data / "setup.log")
    times["generate"] = step(
        "generate",
        [PYTHON, str(BENCH / "generate.py"), "--size", args.size, "--json",
         str(data / "generate.json")],
        env,
    )  # fmt: skip
    generated = json.loads((data / "generate.json").read_text())
    times["read"] = step(
        "read",
        [PYTHON, str(BENCH / "read.py"), "--repeat", str(args.repeat), "--json",
         str(data / "read.json")],
        env,
        data / "read.log",
    )  # fmt: skip
    reads = json.loads((data / "read.json").read_text())
    ingest = {}
    if not args.skip_ingest:
        ingest_env = {k: v for k, v in env.items() if k != "DATABASE_URL"}
        if args.database == "postgres":
            ingest_env["DATABASE_URL"] = fresh_database(f"pantau_bench_{args.size}_ingest")
        step(
            "ingest",
            [PYTHON, str(BENCH / "ingest.py"), "--reports", str(args.ingest_reports)],
            ingest_env,
            data / "ingest.log",
        )
        ingest = parse_ingest((data / "ingest.log").read_text())

    # The table.
    c = generated["counts"]
    print(
        f"\n\nPantau benchmark: size {args.size} ({c['regencies']:,} regencies, "
        f"{c['villages']:,} villages, {c['tps']:,} TPS, {c['reports']:,} reports, "
        f"{c['problems']:,} problems) on {args.database}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f} at the end"
    )
    print(f"generated in {generated['timings']['total']:.0f} s; table sizes: "
          + ", ".join(f"{k} {v}" for k, v in generated["table_sizes"].items()))  # fmt: skip
    rows = []
    for r in reads:
        target = ok = None
        if r["what"] == "periodic report PDF":
            target, ok = f"< {TARGETS['pdf_s']} s", r["p95"] < TARGETS["pdf_s"] * 1000
        elif r["level"] == "regency" and r["what"] in ("dashboard page", "GET /api/v1/dashboard"):
            target = f"p95 < {TARGETS['regency_p95_ms']} ms"
            ok = r["p95"] < TARGETS["regency_p95_ms"]
        elif r["level"] == "nation" and r["what"] in ("dashboard page", "GET /api/v1/dashboard"):
            target = f"p95 < {TARGETS['nation_p95_ms']} ms (nation size, PostgreSQL)"
            if args.size == "nation" and args.database == "postgres":
                ok = r["p95"] < TARGETS["nation_p95_ms"]
        rows.append(
            (f"{r['level']}: {r['what']}", f"p50 {r['p50']:.0f} ms, p95 {r['p95']:.0f} ms",
             target or "", verdict(ok) if target else "")
        )  # fmt: skip
    floor = _rate(ingest, "GET /api/v1/me")
    post = _rate(ingest, "POST /api/v1/reports")
    if floor and post:
        rows.append(("ingest: POST /api/v1/reports", f"{post:.0f} req/s = {post / floor:.2f} x "
                     f"floor ({floor:.0f} req/s)", f">= {TARGETS['ingest']} x floor",
                     verdict(post / floor >= TARGETS["ingest"])))  # fmt: skip
    for name, rate in ingest.items():
        if not name.startswith(("GET /api/v1/me", "POST /api/v1/reports")):
            rows.append((f"ingest: {name}", f"{rate:.0f} /s", "", ""))
    width = max(len(r[0]) for r in rows) + 2
    print(f"\n{'what':<{width}}{'figure':<44}{'target':<42}verdict")
    for name, figure, target, ok in rows:
        print(f"{name:<{width}}{figure:<44}{target:<42}{ok}")
    print("\nsteps: " + ", ".join(f"{k} {v:.0f} s" for k, v in times.items()))
    if args.database == "postgres":
        print(f"kept: PostgreSQL database {database}")
    if args.keep:
        print(f"kept: data directory {data}")
    if not args.keep:
        import shutil

        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
