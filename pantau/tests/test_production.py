"""The production profile of docs/deploy.md, run for real on 127.0.0.1.

- Static files: hashed names, gzip and brotli copies, cached by browsers for a year.
- Several machines, played by processes that share nothing on disk: two app servers
  (`pantau serve --no-tasks`, each with gunicorn workers) and a task worker (`pantau run_huey`),
  each with a PANTAU_DATA_DIR of its own, sharing only PostgreSQL, Redis (queue, cache, rate
  limits), the secret key and an S3 bucket (moto's S3 server) for the uploads.
"""

import re
import secrets
import subprocess
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
import requests

from pantau.conftest import free_port, pantau_script, redis_url
from pantau.tests.helpers import (  # noqa: F401
    keys_in,
    object_bytes,
    on_postgresql,
    own_database,
    s3_bucket,
    s3_server,
)
from pantau.web.tests.helpers import png_bytes

REDIS_URL = redis_url(14)
PASSWORD = "pantau-demo"
VOTING_ANSWERS = {"tps_buka_tepat": "ya", "surat_suara_cukup": "ya", "gangguan": "tidak ada"}
YEAR = 365 * 24 * 3600


# Static files.


def test_static_files_have_hashed_names_compressed_copies_and_a_far_future_cache(demo_server):
    page = urllib.request.urlopen(demo_server["url"] + "/masuk/").read().decode()
    css = re.search(r'href="/static/(pantau/pantau\.([0-9a-f]{12})\.css)"', page)
    assert css, "the page links the style sheet under its hashed name"
    collected = Path(demo_server["data_dir"]) / "static" / css.group(1)
    assert {p.name for p in collected.parent.glob(collected.name + "*")} == {
        collected.name,
        collected.name + ".gz",
        collected.name + ".br",
    }
    for encoding in ("br", "gzip"):
        response = requests.get(
            demo_server["url"] + "/static/" + css.group(1),
            headers={"Accept-Encoding": encoding},
            timeout=10,
        )
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == encoding
        assert response.headers["Content-Type"].startswith("text/css")
        cache = response.headers["Cache-Control"]
        max_age = int(re.search(r"max-age=(\d+)", cache).group(1))
        assert max_age >= YEAR and "immutable" in cache and "public" in cache
    # a page itself is never cached like that
    assert "immutable" not in requests.get(demo_server["url"] + "/masuk/").headers.get(
        "Cache-Control", ""
    )


# Several app servers and a worker.


def start(env, data_dir: Path, *args) -> subprocess.Popen:
    data_dir.mkdir(parents=True, exist_ok=True)
    log = (data_dir / "log").open("wb")
    return subprocess.Popen(
        [pantau_script(), *args],
        env={**env, "PANTAU_DATA_DIR": str(data_dir)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_for(url: str, proc: subprocess.Popen, log: Path, seconds=240) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url + "/masuk/", timeout=2)
            return
        except OSError as exc:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not start:\n{log.read_text()[-3000:]}") from exc
            time.sleep(0.5)


@pytest.fixture
def cluster(tmp_path, s3_bucket):  # noqa: F811
    if not on_postgresql():
        pytest.skip(
            "the multi-process production profile needs PostgreSQL (DATABASE_URL=postgres://...); "
            "on SQLite several machines cannot share the database"
        )
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    with own_database(tmp_path / "setup") as (env, _url):
        result = subprocess.run(
            [pantau_script(), "setup-demo"], env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr[-3000:]
        shared = {
            **env,
            **s3_bucket["env"],
            "PANTAU_REDIS_URL": REDIS_URL,
            "PANTAU_SECRET_KEY": secrets.token_urlsafe(50),
            "PANTAU_API_WRITE_RATE": "4/h",
        }
        ports = {"a": free_port(), "b": free_port()}
        procs = {
            name: start(
                shared,
                tmp_path / name,
                *("serve", "--no-tasks", "--host", "127.0.0.1", "--port", str(port)),
                *("--workers", "2", "--threads", "2"),
            )
            for name, port in ports.items()
        }
        procs["worker"] = start(shared, tmp_path / "worker", "run_huey", "--workers", "2")
        urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        try:
            for name, url in urls.items():
                wait_for(url, procs[name], tmp_path / name / "log")
            yield {"urls": urls, "bucket": s3_bucket, "dirs": tmp_path, "procs": procs}
        finally:
            for proc in procs.values():
                proc.terminate()
            for proc in procs.values():
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()


def api_token(url: str, username: str) -> dict:
    response = requests.post(
        url + "/api/v1/auth/token", json={"username": username, "password": PASSWORD}, timeout=30
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def send_report(url: str, auth: dict, region: str) -> requests.Response:
    body = {
        "client_id": str(uuid.uuid4()),
        "region": region,
        "status": "waspada",
        "observed_at": "2024-11-27T09:30:00",
        "answers": VOTING_ANSWERS,
    }
    return requests.post(url + "/api/v1/reports", json=body, headers=auth, timeout=30)


def web_login(url: str, username: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(url + "/masuk/", timeout=30).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = browser.post(
        url + "/masuk/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": url + "/masuk/"},
        timeout=30,
    )
    assert response.status_code == 200 and "/masuk/" not in response.url, response.text[:500]
    return browser


def test_two_app_servers_and_a_worker_share_only_the_database_redis_and_the_bucket(cluster):
    a, b = cluster["urls"]["a"], cluster["urls"]["b"]
    bucket = cluster["bucket"]

    # A report and its photo sent to server A ...
    desa = api_token(a, "desa-3513012001")
    sent = send_report(a, desa, "35.13.01.2001")
    assert sent.status_code == 201, sent.text
    report_id = sent.json()["id"]
    upload = requests.post(
        f"{a}/api/v1/reports/{report_id}/photos",
        files={"photo": ("tps.png", png_bytes((2000, 1000)), "image/png")},
        headers=desa,
        timeout=30,
    )
    assert upload.status_code == 201, upload.text
    photo_id = upload.json()["id"]

    # ... re-encoded by the worker and seen, with its photo, from server B.
    deadline = time.monotonic() + 90
    while True:
        shown = requests.get(f"{b}/api/v1/reports/{report_id}", headers=desa, timeout=30)
        assert shown.status_code == 200, shown.text
        if shown.json()["photos"] == [{"id": photo_id, "status": "ready"}]:
            break
        assert time.monotonic() < deadline, (shown.json(), worker_log(cluster))
        time.sleep(0.5)

    # A login made on A is a login on B (one secret key, sessions in the shared database).
    bupati = web_login(a, "bupati")
    home = bupati.get(b + "/", timeout=30)
    assert home.status_code == 200 and "/masuk/" not in home.url
    photo = bupati.get(f"{b}/foto/{photo_id}/", timeout=30)
    assert photo.status_code == 200 and photo.headers["Content-Type"] == "image/jpeg"
    assert photo.content.startswith(b"\xff\xd8")  # a JPEG, re-encoded from the PNG sent
    stored = [key for key in keys_in(bucket) if key.startswith("photos/")]
    assert len(stored) == 1 and object_bytes(bucket, stored[0]) == photo.content
    assert keys_in(bucket, "incoming/") == []  # the worker deleted the upload
    anonymous = requests.get(f"{b}/foto/{photo_id}/", timeout=30, allow_redirects=False)
    assert anonymous.status_code == 302 and "/masuk/" in anonymous.headers["Location"]

    # Nothing uploaded lies on any process's own disk.
    for name in ("a", "b", "worker"):
        media = cluster["dirs"] / name / "media"
        assert not [p for p in media.rglob("*") if p.is_file()], name

    # The API's write limit (4 an hour here) is counted in Redis, across the servers.
    camat = api_token(a, "camat-tongas")
    answers = [send_report(url, camat, "35.13.23").status_code for url in (a, b, a, b)]
    assert answers == [201, 201, 201, 201]
    over = send_report(b, camat, "35.13.23")
    assert over.status_code == 429 and over.json()["code"] == "rate_limited"
    assert int(over.headers["Retry-After"]) > 0


def worker_log(cluster) -> str:
    return (cluster["dirs"] / "worker" / "log").read_text()[-3000:]
