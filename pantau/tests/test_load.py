"""Voting day under load: locust (bench/locustfile.py) against a real `pantau serve` on
127.0.0.1, on the suite's database (SQLite, or PostgreSQL with Redis for the task queue and the
cache, the production profile). Zero 5xx, every report that got a 2xx stored exactly once, no
report twice or from nowhere, the audit chain intact.

The server helpers here are also used by test_crash.py.
"""

import csv
import functools
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from pantau.conftest import ARTIFACTS, REPO, free_port, pantau_script, redis_url, subprocess_env
from pantau.tests.helpers import database_url, server_sql

LOAD_SECONDS = int(os.environ.get("PANTAU_LOAD_SECONDS", "45"))
LOAD_USERS = int(os.environ.get("PANTAU_LOAD_USERS", "20"))
REDIS_URL = os.environ.get("PANTAU_LOAD_REDIS_URL", redis_url(15))
TOKEN_ACCOUNTS = [
    "desa-3513012001",
    "pemantau-kraksaan",
    "bupati",
    "asisten-pemkesra",
    "asisten-adum",
    "asisten-ekbang",
    "camat-sukapura",
    "camat-tongas",
    "camat-kraksaan",
    "camat-paiton",
    "camat-dringu",
    "camat-leces",
    "camat-gending",
    "camat-krejengan",
    "camat-besuk",
    "camat-tegalsiwalan",
]
# Phones log in long before voting day: their tokens are issued when the demo is made.
ISSUE_TOKENS = """
import json
from pantau.accounts.models import User
from pantau.api.actions import do_issue_token
tokens = {u.username: do_issue_token(u)[0] for u in User.objects.filter(username__in=%r)}
print(json.dumps(tokens))
"""
# What the database holds for the client_ids of `accepted`, and the totals.
STORED = """
import json
from django.db.models import Count
from pantau.monitoring.models import Report
from pantau.problems.models import Problem
ids = json.load(open(%r))
out = {}
for name, model in (("report", Report), ("problem", Problem)):
    rows = model.objects.filter(client_id__in=ids[name]).values("client_id")
    counted = rows.annotate(n=Count("id")).values_list("client_id", "n")
    doubled = model.objects.values("client_id").annotate(n=Count("id")).filter(n__gt=1)
    out[name] = {
        "found": {str(c): n for c, n in counted},
        "total": model.objects.count(),
        "doubled": doubled.count(),
    }
print(json.dumps(out))
"""
ACCESS_LINE = re.compile(r'"(?P<request>[A-Z]+ \S+ HTTP/[\d.]+)" (?P<status>\d{3}) ')


def pantau(env: dict, *args, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [pantau_script(), *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def shell(env: dict, code: str) -> str:
    result = pantau(env, "shell", "--no-imports", "-c", code)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.strip().splitlines()[-1]


@dataclass
class Demo:
    """A prepared demo (setup-demo done, tokens issued) to copy for each test."""

    data_dir: Path
    database_url: str  # "" on SQLite
    tokens: dict
    baseline: dict  # what STORED says of it: the totals before the load


@functools.cache
def prepared_demo() -> Demo:
    """`pantau setup-demo` once per test run, in a data directory (and a PostgreSQL database
    when the suite runs on PostgreSQL) that each test copies: setup-demo takes half a minute."""
    url = os.environ.get("DATABASE_URL", "")
    data_dir = Path(tempfile.mkdtemp(prefix="pantau-load-demo-"))
    extra = {}
    if url.startswith(("postgres://", "postgresql://")):
        name = f"pantau_load_tpl_{uuid.uuid4().hex[:10]}"
        server_sql(url, f'CREATE DATABASE "{name}"')
        extra["DATABASE_URL"] = database_url(url, name)
    env = subprocess_env(data_dir, **extra)
    try:
        done = pantau(env, "setup-demo", timeout=600)
        assert done.returncode == 0, done.stdout + done.stderr
        tokens = json.loads(shell(env, ISSUE_TOKENS % TOKEN_ACCOUNTS))
        nothing = _write(data_dir / "nothing.json", {"report": [], "problem": []})
        baseline = json.loads(shell(env, STORED % nothing))
    except BaseException:
        if extra:
            server_sql(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(data_dir, ignore_errors=True)
        raise
    shutil.rmtree(data_dir / "cache", ignore_errors=True)
    return Demo(data_dir, extra.get("DATABASE_URL", ""), tokens, baseline)


def _drop_databases():
    if prepared_demo.cache_info().currsize:
        demo = prepared_demo()
        if demo.database_url:
            name = urlsplit(demo.database_url).path[1:]
            server_sql(demo.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(demo.data_dir, ignore_errors=True)


@pytest.fixture(scope="session", autouse=True)
def _clean_up_demo():
    yield
    _drop_databases()


@dataclass
class Site:
    """A data directory (and database) of its own with a `pantau serve` on 127.0.0.1."""

    data_dir: Path
    env: dict
    port: int
    log: Path
    tokens: dict = field(default_factory=dict)
    baseline: dict = field(default_factory=dict)
    proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, workers: int = 2, timeout: float = 180) -> None:
        """`pantau serve` in a process group of its own (gunicorn master, workers and the task
        consumer), appending to the log; returns when the login page answers."""
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [pantau_script(), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
                + ["--workers", str(workers)],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(self.url + "/masuk/", timeout=5)
                return
            except OSError as exc:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.kill()
                    raise RuntimeError("pantau serve did not start:\n" + self.log_text()) from exc
                time.sleep(0.3)

    def kill(self, sig=signal.SIGKILL) -> None:
        """Signal the whole process group and wait for the master."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)

    def group_alive(self) -> bool:
        try:
            os.killpg(self.proc.pid, 0)
        except ProcessLookupError:
            return False
        return True

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")

    def server_errors(self) -> list[str]:
        """The access-log lines of the answers 500 and above."""
        return [
            line
            for line in self.log_text().splitlines()
            if (m := ACCESS_LINE.search(line)) and int(m["status"]) >= 500
        ]

    def server_messages(self) -> str:
        """The log without the access-log lines: tracebacks and warnings."""
        return "\n".join(
            line for line in self.log_text().splitlines() if not ACCESS_LINE.search(line)
        )

    def keep_log(self, name: str) -> Path:
        """A copy of the server log under test-artifacts/, to read after a failure."""
        kept = ARTIFACTS / name
        kept.mkdir(parents=True, exist_ok=True)
        shutil.copy(self.log, kept / "server.log")
        return kept

    def stored(self, accepted: dict[str, set]) -> dict:
        """For reports and problems: how often each accepted client_id is stored, the totals,
        how many client_ids are stored twice."""
        ids_file = self.data_dir / "accepted.json"
        ids_file.write_text(json.dumps({k: sorted(v) for k, v in accepted.items()}))
        return json.loads(shell(self.env, STORED % str(ids_file)))

    def sqlite_integrity(self) -> str:
        with sqlite3.connect(self.data_dir / "pantau.sqlite3") as conn:
            return conn.execute("PRAGMA integrity_check").fetchone()[0]


@pytest.fixture
def site(tmp_path):
    """A copy of the prepared demo (data directory and database) and a free port; the server,
    if started, is stopped and the database dropped afterwards."""
    demo = prepared_demo()
    data_dir = tmp_path / "data"
    shutil.copytree(demo.data_dir, data_dir)
    extra, database = {}, None
    if demo.database_url:
        database = f"pantau_load_{uuid.uuid4().hex[:12]}"
        template = urlsplit(demo.database_url).path[1:]
        server_sql(demo.database_url, f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
        extra["DATABASE_URL"] = database_url(demo.database_url, database)
    env = subprocess_env(data_dir, **extra)
    site = Site(data_dir, env, free_port(), tmp_path / "server.log", demo.tokens, demo.baseline)
    try:
        yield site
    finally:
        site.kill()
        if database:
            server_sql(demo.database_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _write(path: Path, data) -> str:
    path.write_text(json.dumps(data))
    return str(path)


def _redis_available(url: str) -> bool:
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=1)
        client.flushdb()  # our own database number: a queue left by an earlier run must go
        return True
    except Exception:
        return False


def read_accepted(out_dir: Path) -> tuple[dict[str, set], Counter]:
    """client_ids that got a 2xx, by kind (report, problem), and how many resends there were."""
    accepted, kinds = {"report": set(), "problem": set()}, Counter()
    for path in out_dir.glob("accepted-*.txt"):
        for line in path.read_text().splitlines():
            kind, client_id, _pk = line.split()
            kinds[kind] += 1
            if kind in accepted:
                accepted[kind].add(client_id)
    return accepted, kinds


def test_it_holds_voting_day_for_a_regency(site, tmp_path):
    on_postgres = bool(site.env.get("DATABASE_URL"))
    if on_postgres and _redis_available(REDIS_URL):
        site.env["PANTAU_REDIS_URL"] = REDIS_URL  # the production profile: PostgreSQL + Redis
    started = time.monotonic()
    site.start()
    out = tmp_path / "locust"
    out.mkdir()
    tokens = _write(tmp_path / "tokens.json", site.tokens)
    locust = Path(sys.executable).parent / "locust"
    args = [locust, "-f", REPO / "bench" / "locustfile.py", "--headless", "--only-summary"]
    args += ["-u", LOAD_USERS, "-r", LOAD_USERS, "--run-time", f"{LOAD_SECONDS}s"]
    args += ["--stop-timeout", 20, "--host", site.url, "--csv", out / "run"]
    args += ["--exit-code-on-error", 0, "--loglevel", "WARNING"]
    run = subprocess.run(
        [str(arg) for arg in args],
        env={
            **os.environ,
            "PANTAU_LOAD_OUT": str(out),
            "PANTAU_LOAD_TOKENS": tokens,
            "PANTAU_LOAD_RESEND": "0.25",
        },
        capture_output=True,
        text=True,
        timeout=LOAD_SECONDS + 120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    with (out / "run_stats.csv").open() as fh:
        stats = list(csv.DictReader(fh))
    with (out / "run_failures.csv").open() as fh:
        failures = list(csv.DictReader(fh))
    total = next(row for row in stats if row["Name"] == "Aggregated")
    print(
        f"\nload test on {'PostgreSQL + Redis' if on_postgres else 'SQLite'}: "
        f"{LOAD_USERS} users, {LOAD_SECONDS} s, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(f"{'endpoint':<52}{'reqs':>6}{'fails':>6}{'p50':>7}{'p95':>7}")
    for row in stats:
        print(
            f"{row['Type'] + ' ' + row['Name']:<52}{row['Request Count']:>6}"
            f"{row['Failure Count']:>6}{row['50%']:>7}{row['95%']:>7}"
        )
    print(f"requests/s: {float(total['Requests/s']):.1f}")

    # No server error, and nothing refused that should have been accepted.
    shutil.copytree(out, site.keep_log("load") / "locust", dirs_exist_ok=True)
    assert not site.server_errors(), [*site.server_errors()[:5], site.server_messages()[-8000:]]
    assert not failures, failures
    assert int(total["Request Count"]) > LOAD_SECONDS * 2  # the load did happen

    # Every client_id that got a 2xx is stored exactly once; nothing else was stored.
    accepted, kinds = read_accepted(out)
    stored = site.stored(accepted)
    for kind in ("report", "problem"):
        found = stored[kind]["found"]
        assert set(found) == accepted[kind], f"{kind}: accepted but not stored"
        assert set(found.values()) <= {1}, f"{kind}: stored more than once"
        assert stored[kind]["doubled"] == 0
        assert stored[kind]["total"] - site.baseline[kind]["total"] == len(accepted[kind])
    assert kinds["resend"] > 0 and len(accepted["report"]) > 20

    audit = pantau(site.env, "verifyaudit")
    assert audit.returncode == 0, audit.stdout + audit.stderr
    site.stop()
    assert "Traceback" not in site.log_text(), site.log_text()[-5000:]
    print(
        f"reports {len(accepted['report'])}, problems {len(accepted['problem'])}, "
        f"resends answered with the first copy {kinds['resend']}, "
        f"wall time {time.monotonic() - started:.0f} s (without preparing the demo)"
    )
