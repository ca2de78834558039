"""CPU and statements per submission, in-process: what one OpenRosa submission and one API report
cost the server, measured without the network, the other processes or the machine's load.

    .venv/bin/python bench/cpu.py [--database sqlite|postgres] [--n 300] [--photo-kb 0,50]
                                  [--profile] [--top 30]

It makes a fresh data directory (and on PostgreSQL a fresh database `pantau_bench_cpu`), runs
`pantau setup-demo`, then loads the application as a gunicorn worker does (`pantau.wsgi`: the
middleware, the audit sequencer's thread, frozen start-up objects) and calls it as a WSGI
server would, one request after another in this thread: `--n` warm-up requests, then `--n`
measured ones of each kind. For each kind it prints the CPU time of the request thread per
request (`time.thread_time`), the CPU time of the whole process per request (with the audit
sequencer's batches), the wall time, and the SQL statements the request thread sent per
request. CPU time does not depend on how busy the machine is the way wall time does, so these
figures compare across runs and machines of a kind. With `--profile`, a cProfile of the
measured submissions (no photo) is printed, sorted by own time and by cumulative time.

The kinds: `POST /odk/submission` as ODK Collect sends it (`camat-tongas`, HTTP Basic, the
voting-day form, a fresh instanceID each, optionally a JPEG of about --photo-kb KB), `HEAD
/odk/submission` (the OpenRosa floor), `POST /api/v1/reports` (a village's token) and `GET
/api/v1/me` (the API floor). Every answer must be 2xx, else it stops.
"""

import argparse
import base64
import cProfile
import io
import json
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest import PANTAU, VILLAGE  # noqa: E402
from ingest import REGION as API_REGION
from odk import (  # noqa: E402
    FORM_ID,
    PASSWORD,
    PHOTO_NAME,
    USER,
    fresh_postgres,
    instance_template,
    make_jpeg,
    multipart,
    unique_jpeg,
)

BENCH_DB = "pantau_bench_cpu"


class Wsgi:
    """The application called as a WSGI server calls it."""

    def __init__(self, application):
        self.application = application

    def __call__(self, method, path, body=b"", headers=None):
        path, _sep, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SCRIPT_NAME": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "CONTENT_LENGTH": str(len(body)),
        }
        for name, value in (headers or {}).items():
            key = name.upper().replace("-", "_")
            if key == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = value
            else:
                environ[f"HTTP_{key}"] = value
        status = []
        result = self.application(environ, lambda s, h, exc_info=None: status.append(s))
        try:
            content = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return int(status[0].split()[0]), content


def callgrind(what: str) -> None:
    """Under valgrind --tool=callgrind --instr-atstart=no: "on" zeroes the counts and starts
    counting, "off" stops and dumps them (one file per measured kind)."""
    pid = str(os.getpid())
    if what == "on":
        subprocess.run(["callgrind_control", "-z", pid], check=True, capture_output=True)
        subprocess.run(["callgrind_control", "-i", "on", pid], check=True, capture_output=True)
    else:
        subprocess.run(["callgrind_control", "-i", "off", pid], check=True, capture_output=True)
        subprocess.run(["callgrind_control", "-d", pid], check=True, capture_output=True)


def last_dump_instructions() -> int:
    """The instruction count (Ir, every thread of the process) of its newest callgrind dump."""
    dumps = Path.cwd().glob(f"callgrind.out.{os.getpid()}.*")
    newest = max(dumps, key=lambda path: int(path.suffix[1:]))
    for line in reversed(newest.read_text().splitlines()):
        if line.startswith("totals:"):
            return int(line.split()[1])
    return 0


def measure(call, make, n: int, counter, profile=None, instructions=False) -> dict:
    for i in range(n):  # warm
        _check(*call(*make(i)))
    counter["n"] = 0
    if instructions:
        callgrind("on")
    wall, process, thread = time.perf_counter(), time.process_time(), time.thread_time()
    for i in range(n, 2 * n):
        _check(*call(*make(i)))
    if instructions:
        callgrind("off")
    thread = time.thread_time() - thread
    process = time.process_time() - process
    wall = time.perf_counter() - wall
    return {
        "thread_ms": thread / n * 1000,
        "process_ms": process / n * 1000,
        "wall_ms": wall / n * 1000,
        "statements": counter["n"] / n,
        "instructions": last_dump_instructions() / n if instructions else None,
    }


def run_profiled(call, make, n: int, profile) -> None:
    """`n` more requests under cProfile (apart from the timed ones: it slows them)."""
    profile.enable()
    for i in range(n):
        _check(*call(*make(i)))
    profile.disable()


def _check(status: int, content: bytes) -> None:
    if not 200 <= status < 300:
        raise SystemExit(f"answered {status}: {content[:500]!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--n", type=int, default=300, help="measured requests of each kind")
    parser.add_argument("--photo-kb", default="0,50", help="0 = no photo")
    parser.add_argument(
        "--profile",
        choices=["odk", "odk-photo", "api"],
        help="cProfile these requests: submissions without or with a photo, API reports",
    )
    parser.add_argument("--top", type=int, default=30, help="rows of the profile")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="count instructions (run under valgrind --tool=callgrind --instr-atstart=no)",
    )
    parser.add_argument("--save", help="with --profile: write the pstats file here too")
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    args = parser.parse_args()

    data = tempfile.mkdtemp(prefix="pantau-bench-cpu-")
    os.environ["PANTAU_DATA_DIR"] = data
    os.environ.pop("DATABASE_URL", None)
    if args.database == "postgres":
        os.environ["DATABASE_URL"] = fresh_postgres(BENCH_DB)
    # One account sends every report: its write limit counted, as in production, never reached.
    os.environ.setdefault("PANTAU_API_WRITE_RATE", f"{args.n * 100}/m")
    print(f"setting up the demo in {data} ...", flush=True)
    subprocess.run([PANTAU, "setup-demo"], check=True, stdout=subprocess.DEVNULL)
    os.environ["DJANGO_SETTINGS_MODULE"] = "pantau.settings"
    from django.db import connection

    from pantau.wsgi import application  # as a worker loads it

    counter = {"n": 0}

    def count(execute, sql, params, many, context):
        counter["n"] += 1
        return execute(sql, params, many, context)

    wrapper = connection.execute_wrapper(count)  # kept: its exit removes the wrapper
    wrapper.__enter__()
    call = Wsgi(application)
    basic = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    odk_headers = {"Authorization": basic, "X-OpenRosa-Version": "1.0"}
    status, listing = call("GET", "/odk/formList", headers=odk_headers)
    _check(status, listing)
    status, xform = call("GET", f"/odk/forms/{FORM_ID}.xml", headers=odk_headers)
    _check(status, xform)
    photos = [int(k) for k in args.photo_kb.split(",")]
    templates = {kb: instance_template(xform, kb > 0) for kb in photos}
    jpegs = {kb: make_jpeg(kb) for kb in photos if kb}

    def submission(kb):
        def make(i):
            instance_id = str(uuid.uuid4())
            xml = templates[kb].replace("{INSTANCE_ID}", instance_id).encode()
            parts = [("xml_submission_file", "submission.xml", "text/xml", xml)]
            if kb:
                parts.append(
                    (PHOTO_NAME, PHOTO_NAME, "image/jpeg", unique_jpeg(jpegs[kb], instance_id))
                )
            body, content_type = multipart(parts)
            return "POST", "/odk/submission", body, {**odk_headers, "Content-Type": content_type}

        return make

    status, content = call(
        "POST",
        "/api/v1/auth/token",
        json.dumps({"username": VILLAGE, "password": PASSWORD}).encode(),
        {"Content-Type": "application/json"},
    )
    _check(status, content)
    api_headers = {
        "Authorization": f"Bearer {json.loads(content)['token']}",
        "Content-Type": "application/json",
    }

    def report(i):
        body = {
            "client_id": str(uuid.uuid4()),
            "region": API_REGION,
            "observed_at": "2024-10-10T09:00:00+07:00",
            "status": "aman",
            "narrative": f"Laporan bench {i}",
        }
        return "POST", "/api/v1/reports", json.dumps(body).encode(), api_headers

    # CPU time of this thread, not wall time: what waits on the database or the disk is not CPU.
    profile = cProfile.Profile(time.thread_time) if args.profile else None
    rows = []

    def add(name, make):
        rows.append((name, measure(call, make, args.n, counter, instructions=args.instructions)))

    for kb in photos:
        add(f"POST /odk/submission{', photo ' + str(kb) + ' KB' if kb else ''}", submission(kb))
    add("HEAD /odk/submission", lambda i: ("HEAD", "/odk/submission", b"", odk_headers))
    add("POST /api/v1/reports", report)
    add("GET /api/v1/me", lambda i: ("GET", "/api/v1/me", b"", api_headers))

    print(f"\nCPU per request, in-process, database {args.database}, {args.n} requests each")
    print(
        f"{'request':<36}{'thread ms':>10}{'process ms':>11}{'wall ms':>9}{'statements':>11}"
        + (f"{'M instr.':>10}" if args.instructions else "")
    )
    for name, r in rows:
        print(
            f"{name:<36}{r['thread_ms']:>10.2f}{r['process_ms']:>11.2f}{r['wall_ms']:>9.2f}"
            f"{r['statements']:>11.1f}"
            + (f"{r['instructions'] / 1e6:>10.2f}" if args.instructions else "")
        )
    print(f"load average {os.getloadavg()[0]:.1f}")
    if profile is not None:
        made = {"odk": submission(0), "odk-photo": submission(max(photos)), "api": report}
        run_profiled(call, made[args.profile], args.n, profile)
        if args.save:
            profile.dump_stats(args.save)
        for order in ("tottime", "cumulative"):
            print(f"\nprofile of the {args.profile} requests, by {order}:")
            pstats.Stats(profile).sort_stats(order).print_stats(args.top)
    if not args.keep:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
