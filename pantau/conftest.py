"""Shared fixtures. The test database gets Probolinggo's regions, the shipped instruction and the
demo accounts once per session, the way a user gets them (setup_demo); each test then runs in a
transaction that is rolled back."""

import contextlib
import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from pantau.instruction.models import Category
from pantau.monitoring.actions import do_submit_report
from pantau.problems.actions import do_create_problem, do_problem_action
from pantau.regions.models import Region

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
NGADISARI = "35.13.01.2001"  # the demo village, in Sukapura
VOTING_DAY = dt.datetime(2024, 11, 27, 9, 30)  # naive: WIB, as a phone in the field sends it
VOTING_ANSWERS = {"tps_buka_tepat": "ya", "surat_suara_cukup": "ya", "gangguan": "tidak ada"}
REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from pantau.demo.setup import setup_demo

    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        setup_demo()


@pytest.fixture(scope="session", autouse=True)
def _tasks_run_at_once():
    """Tasks run synchronously in tests, in memory; tests of the real consumer start one."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True
    yield HUEY


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # Password hashing is the one deliberately slow thing in Django; tests need not pay it.
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture
def users(db):
    """The demo accounts by username."""
    return {u.username: u for u in get_user_model().objects.all()}


@pytest.fixture
def login(client):
    """Log the test client in as a demo account (no password round trip)."""

    def _login(username):
        client.force_login(get_user_model().objects.get(username=username))
        return client

    return _login


def pantau_script() -> str:
    """The installed `pantau` console script, next to the running interpreter."""
    path = Path(sys.executable).parent / "pantau"
    return str(path) if path.exists() else shutil.which("pantau")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_url(db: int) -> str:
    """The Redis database `db` (10-15) for a test of the task queue, moved down by
    PANTAU_TEST_REDIS_SHIFT so that two runs of the suite at once (CI's SQLite and PostgreSQL
    runs) never share one."""
    return f"redis://127.0.0.1:6379/{db - int(os.environ.get('PANTAU_TEST_REDIS_SHIFT', '0'))}"


def subprocess_env(data_dir: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(PANTAU_DATA_DIR=str(data_dir), **extra)
    return env


@contextlib.contextmanager
def running_demo(data_dir: Path, **extra_env):
    """`pantau demo` (setup-demo, then serve with its task consumer) in `data_dir`, on
    127.0.0.1, with `extra_env` added to its environment; yields what demo_server yields."""
    env = subprocess_env(data_dir, **extra_env)
    port = free_port()
    log = data_dir / "demo.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [pantau_script(), "demo", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        try:
            urllib.request.urlopen(url + "/masuk/", timeout=2)
            break
        except OSError as exc:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError("pantau demo did not start:\n" + log.read_text()) from exc
            time.sleep(0.3)
    try:
        yield {"url": url, "data_dir": data_dir, "env": env, "log": log}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    """`pantau demo` (setup-demo, then serve) in a fresh data directory, on 127.0.0.1.

    This is the README's first command after the install, run as a user runs it: the console
    script, SQLite in the data directory, gunicorn and the static files.
    """
    with running_demo(tmp_path_factory.mktemp("demo-data")) as server:
        yield server


# Data made through the actions, as users make it.


@pytest.fixture
def no_demo_reports(db):
    """The demo's field reports (its officials' scheduled reports among them) deleted inside
    the test's transaction (rolled back after it): for a test that needs places without a
    report, or counts only reports of its own."""
    from pantau.monitoring.models import Report

    Report.objects.all().delete()


@pytest.fixture
def new_report(users):
    def _new(username="desa-3513012001", region=NGADISARI, **kw):
        report, _created = do_submit_report(
            acting_user=users[username],
            client_id=kw.pop("client_id", uuid.uuid4()),
            region=Region.objects.get(code=region),
            observed_at=kw.pop("observed_at", VOTING_DAY),
            situation=kw.pop("situation", "aman"),
            answers=kw.pop("answers", VOTING_ANSWERS),
            **kw,
        )
        return report

    return _new


@pytest.fixture
def new_problem(users):
    def _new(username="desa-3513012001", region=NGADISARI, severity="tinggi", **kw):
        problem, _created = do_create_problem(
            acting_user=users[username],
            client_id=kw.pop("client_id", uuid.uuid4()),
            region=Region.objects.get(code=region),
            title=kw.pop("title", "Kotak suara belum tiba"),
            category=Category.objects.get(code=kw.pop("category", "logistik")),
            severity=severity,
            **kw,
        )
        return problem

    return _new


@pytest.fixture
def act(users):
    def _act(problem, username, action, **kw):
        return do_problem_action(problem.pk, acting_user=users[username], action=action, **kw)

    return _act


@pytest.fixture
def scratch_env(tmp_path):
    """Environment for `pantau` commands on an empty database of their own (a SQLite file in
    `tmp_path`, or a new PostgreSQL database when the suite runs on PostgreSQL, dropped after):
    for tests that need several processes writing at once without touching the test database."""
    from pantau.tests.helpers import own_database  # it imports from this module

    with own_database(tmp_path) as (env, _url):
        yield env


# A real browser: Debian's chromium driven by Playwright (never a downloaded browser).
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


def new_phone(browser, **options):
    """A browser context the size of a cheap phone (360 px wide)."""
    return browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        **options,
    )


@pytest.fixture
def phone(browser):
    """A fresh phone (no cookies, no service worker, empty storage) for each test."""
    context = new_phone(browser)
    yield context
    context.close()
