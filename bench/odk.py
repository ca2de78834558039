"""OpenRosa ingest benchmark: form instances per second accepted at `/odk/submission`, sent as
ODK Collect sends them, beside the same server's rate for the HEAD of that URL (the trivial
authenticated OpenRosa answer: the framework's floor on this machine).

    .venv/bin/python bench/odk.py [--database sqlite|postgres] [--submissions 600]
                                  [--clients 8,16] [--photo-kb 0,50] [--workers 5] [--threads 4]
                                  [--rounds 2]
    .venv/bin/python bench/odk.py --url http://127.0.0.1:PORT --db DATABASE_URL_OR_SQLITE_PATH

Without `--url` it starts `pantau demo` in a fresh data directory on 127.0.0.1, as
bench/ingest.py does (SQLite by default; `--database postgres`: a fresh database
`pantau_bench_odk`). As `camat-tongas` (HTTP Basic, as Collect sends it on every request) it
downloads the voting-day form `pantau-pemungutan` through the form list, writes the instance
Collect would write for it, and sends fresh instances (a new instanceID each; with a photo, a
JPEG of about --photo-kb KB made unique per submission) as multipart `xml_submission_file`
(+ the photo part) from concurrent keep-alive connections, for each number of clients and each
photo size, and after each of those runs the HEAD of the submission URL as many times: the
floor is measured beside every run, so that a change in the shared machine's load meets both.
The whole sequence is repeated `--rounds` times and each line sums its runs. Meanwhile it
samples the server's memory as the sum of PSS over its processes (gunicorn's master, workers
and the task consumer: a page shared by them counts once).
Afterwards, with the server stopped (or, with `--url`, while it runs), it checks in the
server's database that every instance answered 2xx is stored exactly once (one ODK submission,
one report) and that the audit chain verifies. Prints a table; exits non-zero when the check
fails. Nothing leaves 127.0.0.1.
"""

import argparse
import base64
import http.client
import io
import os
import random
import shutil
import struct
import sys
import tempfile
import urllib.parse
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

from ingest import RssSampler, Totals, run, setup_django, start_server, stop_server

USER, PASSWORD = "camat-tongas", os.environ.get("PANTAU_DEMO_PASSWORD", "pantau-demo")
FORM_ID, REGION = "pantau-pemungutan", "35.13.23"
BENCH_DB = "pantau_bench_odk"
PHOTO_NAME = "1732674612345.jpg"  # Collect names a photo after the time it was taken
# The voting-day checklist as the ODK tests fill it (pantau/odk/tests/test_submission.py).
VALUES = {
    "start": "2024-11-27T09:30:12.345+07:00",
    "region": REGION,
    "tps": "3",
    "situation": "waspada",
    "checklist/tps_buka_tepat": "tidak",
    "checklist/jam_buka": "07.20",
    "checklist/dpt_ditempel": "ya",
    "checklist/surat_suara_cukup": "ya",
    "checklist/gangguan": "tidak_ada",
    "checklist/pemilih_hadir": "112",
    "narrative": "TPS buka terlambat 20 menit.",
    "location": "-7.7560 113.1080 12.0 4.8",
}


def fresh_postgres(name: str) -> str:
    """Drop and create the bench database; its URL."""
    import psycopg

    server = os.environ.get("PANTAU_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"


class PssSampler(RssSampler):
    """The peak of the summed PSS (proportional set size: a page shared by n processes counts
    1/n in each) of a process and all its descendants, sampled every 0.2 s."""

    interval = 0.2

    def sample(self) -> int:
        total = 0
        for proc in [self.root, *self.root.children(recursive=True)]:
            try:
                with open(f"/proc/{proc.pid}/smaps_rollup") as f:
                    total += next(
                        int(line.split()[1]) * 1024 for line in f if line.startswith("Pss:")
                    )
            except (OSError, StopIteration):  # ended meanwhile
                pass
        return total


def fetch_form(base: str, auth: str) -> bytes:
    """The XForm as Collect downloads it: the form list, then the form's downloadUrl."""
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = {"Authorization": auth, "X-OpenRosa-Version": "1.0"}
    conn.request("GET", "/odk/formList", headers=headers)
    response = conn.getresponse()
    listing = response.read()
    if response.status != 200:
        raise SystemExit(f"formList: {response.status} {listing[:300]!r}")
    root = ET.fromstring(listing)
    for item in root:
        fields = {child.tag.rsplit("}", 1)[-1]: child.text or "" for child in item}
        if fields.get("formID") == FORM_ID:
            conn.request("GET", urllib.parse.urlsplit(fields["downloadUrl"]).path, headers=headers)
            response = conn.getresponse()
            return response.read()
    raise SystemExit(f"{FORM_ID} is not in {USER}'s form list")


def instance_template(xform: bytes, photo: bool) -> str:
    """The instance Collect writes for the form, `{INSTANCE_ID}` as its instanceID."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from pantau.odk.tests.helpers import fill

    marker = uuid.UUID(int=0)
    values = {**VALUES, **({"photo1": PHOTO_NAME} if photo else {})}
    return fill(xform, values, marker).decode().replace(str(marker), "{INSTANCE_ID}")


def make_jpeg(kb: int) -> bytes:
    """A JPEG of about `kb` KB (noise compresses badly)."""
    from PIL import Image

    rng = random.Random(18)
    side = 64
    while True:
        img = Image.frombytes(
            "RGB", (side, side), bytes(rng.getrandbits(8) for _ in range(side * side * 3))
        )
        out = io.BytesIO()
        img.save(out, "JPEG", quality=85)
        if out.tell() >= kb * 1024 or side > 1024:
            return out.getvalue()
        side += 16


def unique_jpeg(base: bytes, tag: str) -> bytes:
    """`base` with a JPEG comment after SOI: the same picture, a different file."""
    comment = tag.encode()
    return base[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + base[2:]


def multipart(parts: list[tuple[str, str, str, bytes]]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    out = io.BytesIO()
    for name, filename, content_type, content in parts:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
        )
        out.write(content)
        out.write(b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def check_stored(db: str, accepted: list[str]) -> list[str]:
    """Problems found in the server's database: an instance answered 2xx missing or stored
    twice (as an ODK submission or as a report), the audit chain broken or left unchained."""
    os.environ["DATABASE_URL"] = db if "://" in db else f"sqlite:///{db}"
    setup_django({})
    from django.db.models import Count

    from pantau.audit.sequencer import chain_queued
    from pantau.audit.verify import verify_chain
    from pantau.monitoring.models import Report
    from pantau.odk.models import OdkSubmission

    problems = []
    for model, field in ((OdkSubmission, "instance_id"), (Report, "client_id")):
        counts: dict[str, int] = {}
        for start in range(0, len(accepted), 500):
            rows = (
                model.objects.filter(**{f"{field}__in": accepted[start : start + 500]})
                .values(field)
                .annotate(n=Count("id"))
                .values_list(field, "n")
            )
            counts.update({str(key): n for key, n in rows})
        missing = [i for i in accepted if counts.get(i, 0) == 0]
        twice = [i for i in accepted if counts.get(i, 0) > 1]
        name = model._meta.model_name
        if missing:
            problems.append(
                f"{len(missing)} instances answered 2xx have no {name}, e.g. {missing[0]}"
            )
        if twice:
            problems.append(f"{len(twice)} instances are stored as {name} twice, e.g. {twice[0]}")
    chain_queued()  # a stopped server's sequencer may leave a tail (its exit flush is best effort)
    result = verify_chain()
    if not result.ok:
        problems.append(f"audit chain broken at #{result.first_bad_id}: {result.reason}")
    if result.queued:
        problems.append(f"{result.queued} audit entries unchained after the run")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=600, help="per run")
    parser.add_argument("--clients", default="8,16")
    parser.add_argument("--photo-kb", default="0,50", help="0 = no photo")
    parser.add_argument("--workers", type=int, default=5, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--url", help="a running Pantau instead of a fresh `pantau demo`")
    parser.add_argument("--db", help="with --url: its DATABASE_URL or SQLite file, for the check")
    parser.add_argument("--pids", default="", help="with --url: its server PIDs, for the PSS")
    parser.add_argument("--rounds", type=int, default=2, help="times the sequence is run")
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    args = parser.parse_args()
    clients = [int(c) for c in args.clients.split(",")]
    photos = [int(k) for k in args.photo_kb.split(",")]

    proc = data = None
    if args.url:
        parts = urllib.parse.urlsplit(args.url)
        port, db = parts.port, args.db
        pids = [int(p) for p in args.pids.split(",") if p]
    else:
        data = tempfile.mkdtemp(prefix="pantau-bench-odk-")
        env = {**os.environ, "PANTAU_DATA_DIR": data}
        env.pop("DATABASE_URL", None)
        if args.database == "postgres":
            env["DATABASE_URL"] = fresh_postgres(BENCH_DB)
        proc, port = start_server(env, data, args.workers, args.threads)
        db = env.get("DATABASE_URL") or str(Path(data) / "pantau.sqlite3")
        pids = [proc.pid]
    samplers = [PssSampler(pid) for pid in pids]
    for s in samplers:
        s.start()
    auth = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    head_headers = {"Authorization": auth, "X-OpenRosa-Version": "1.0"}
    accepted: list[str] = []
    results: list[dict] = []
    try:
        xform = fetch_form(f"http://127.0.0.1:{port}", auth)
        templates = {photo: instance_template(xform, photo > 0) for photo in set(photos) | {0}}
        jpegs = {kb: make_jpeg(kb) for kb in photos if kb}

        def head(i):
            return "HEAD", "/odk/submission", None, head_headers

        def submission(photo_kb, ids):
            def make(i):
                xml = templates[photo_kb].replace("{INSTANCE_ID}", ids[i]).encode()
                parts = [("xml_submission_file", "submission.xml", "text/xml", xml)]
                if photo_kb:
                    parts.append(
                        (PHOTO_NAME, PHOTO_NAME, "image/jpeg", unique_jpeg(jpegs[photo_kb], ids[i]))
                    )
                body, content_type = multipart(parts)
                return (
                    "POST",
                    "/odk/submission",
                    body,
                    {**head_headers, "Content-Type": content_type},
                )

            return make

        def note(ids):
            def on(i, status, content):
                if isinstance(status, int) and 200 <= status < 300:
                    accepted.append(ids[i])

            return on

        def pss() -> int:
            return sum(s.peak for s in samplers)

        run(port, 100, max(clients), head)  # every worker warm, the password remembered
        warm = [str(uuid.uuid4()) for _ in range(max(clients))]
        run(port, len(warm), max(clients), submission(0, warm), note(warm))
        runs: dict[tuple[str, int], Totals] = {}
        floor = Totals()

        def measured(what: str, n_clients: int, make, on=None) -> dict:
            for s in samplers:
                s.reset()
            r = run(port, args.submissions, n_clients, make, on)
            r.update(pss=pss(), load=os.getloadavg()[0])
            runs.setdefault((what, n_clients), Totals()).add(r)
            return r

        for _round in range(args.rounds):
            for photo_kb in photos:
                for n_clients in clients:
                    ids = [str(uuid.uuid4()) for _ in range(args.submissions)]
                    what = f"POST, {'photo ' + str(photo_kb) + ' KB' if photo_kb else 'no photo'}"
                    measured(what, n_clients, submission(photo_kb, ids), note(ids))
                    floor.add(measured("HEAD (framework floor)", max(clients), head))
        results = [
            {**totals.result(), "what": what, "clients": n_clients}
            for (what, n_clients), totals in sorted(
                runs.items(),
                key=lambda item: item[0][0].startswith("HEAD"),  # the floor last
            )
        ]
        floor = floor.result()
    finally:
        for s in samplers:
            s.stopped.set()
        if proc is not None:
            stop_server(proc)

    problems = check_stored(db, accepted)
    name = "postgres" if "://" in db and not db.startswith("sqlite") else "sqlite"
    print(
        f"\nOpenRosa ingest, database {name}, {args.submissions} submissions a run, "
        f"{os.cpu_count()} cores"
        + (f", {args.workers} workers x {args.threads} threads" if proc is not None else "")
    )
    print(
        f"{'what':<24}{'clients':>8}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'PSS MB':>8}"
        f"{'load':>6}  statuses"
    )
    for r in results:
        print(
            f"{r['what']:<24}{r['clients']:>8}{r['rate']:>8.1f}{r['p50']:>8.0f}{r['p95']:>8.0f}"
            f"{r['pss'] / 2**20:>8.0f}{r['load']:>6.1f}  {r['statuses']}"
        )
    top = [r for r in results if r["clients"] == max(clients) and r["what"] == "POST, no photo"]
    if top:
        print(
            f"ingest / HEAD floor at {max(clients)} clients, no photo: "
            f"{top[0]['rate'] / floor['rate']:.2f}"
        )
    print(
        f"check: {len(accepted)} instances answered 2xx, each stored once, audit chain valid"
        if not problems
        else "check FAILED:\n  " + "\n  ".join(problems)
    )
    if data and not args.keep:
        shutil.rmtree(data, ignore_errors=True)
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()
