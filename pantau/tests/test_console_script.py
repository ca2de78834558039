"""The `pantau` console script and the settings it reads from the environment, run as a user
runs them: separate processes on a data directory of their own."""

import os
import re
import stat
import subprocess
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from pantau.conftest import pantau_script, subprocess_env


def shell(data_dir, code, **env):
    return run(data_dir, "shell", "--no-imports", "-c", code, **env)


def run(data_dir, *args, **env):
    return subprocess.run(
        [pantau_script(), *args],
        env=subprocess_env(data_dir, **env),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_is_django_manage_py_with_pantau_commands(tmp_path):
    result = run(tmp_path, "help")
    assert result.returncode == 0
    for command in ("loadregions", "loadinstruction", "setup-demo", "demo", "serve", "migrate"):
        assert command in result.stdout
    assert run(tmp_path, "check").returncode == 0


def test_it_keeps_database_and_a_generated_secret_key_in_the_data_directory(tmp_path):
    assert run(tmp_path, "migrate", "-v0").returncode == 0
    assert (tmp_path / "pantau.sqlite3").exists()
    key = tmp_path / "secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    first = key.read_text()
    assert len(first) > 40
    run(tmp_path, "check")
    assert key.read_text() == first  # kept, not regenerated


def test_sqlite_runs_in_wal_mode_and_concurrent_writers_wait_instead_of_failing(tmp_path):
    assert run(tmp_path, "migrate", "-v0").returncode == 0
    mode = run(
        tmp_path,
        "shell",
        "--no-imports",
        "-c",
        "from django.db import connection; c = connection.cursor();"
        "c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])",
    )
    assert mode.stdout.strip() == "wal"
    writer = (
        "from pantau.regions.models import Region\n"
        "from django.db import transaction\n"
        "import os\n"
        "for i in range(40):\n"
        "    with transaction.atomic():\n"
        "        Region.objects.create(code=f'9{os.environ[\"W\"]}.{i:02d}', name='x',"
        " level='kabupaten')\n"
    )
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda w: shell(tmp_path, writer, W=str(w)), range(4)))
    assert [r.returncode for r in results] == [0] * 4, [r.stderr[-500:] for r in results]
    count = run(
        tmp_path,
        "shell",
        "--no-imports",
        "-c",
        "from pantau.regions.models import Region; print(Region.objects.count())",
    )
    assert count.stdout.strip() == "160"


def test_database_url_chooses_the_database(tmp_path):
    other = tmp_path / "elsewhere.sqlite3"
    result = run(tmp_path, "migrate", "-v0", DATABASE_URL=f"sqlite:///{other}")
    assert result.returncode == 0
    assert other.exists() and not (tmp_path / "pantau.sqlite3").exists()


def test_a_bad_file_makes_the_command_fail_with_the_reason(tmp_path):
    run(tmp_path, "migrate", "-v0")
    bad = tmp_path / "x.yaml"
    bad.write_text("operation: [\n")
    result = run(tmp_path, "loadinstruction", str(bad))
    assert result.returncode != 0
    assert "x.yaml:" in result.stderr and "Traceback" not in result.stderr


def test_demo_prints_the_address_and_the_logins(demo_server):
    printed = demo_server["log"].read_text()
    assert f"{demo_server['url']}/" in printed
    for username in ("admin", "bupati", "asisten-pemkesra", "camat-tongas", "bawaslu"):
        assert username in printed
    assert "pantau-demo" in printed


def test_serve_answers_with_pages_and_static_files_on_loopback(demo_server):
    with urllib.request.urlopen(demo_server["url"] + "/masuk/") as response:
        assert response.status == 200
        page = response.read().decode()
        assert "Pantau" in page
    # the style sheet the page links, under its hashed name (see test_production.py)
    css = re.search(r'href="(/static/pantau/pantau\.[0-9a-f]{12}\.css)"', page).group(1)
    with urllib.request.urlopen(demo_server["url"] + css) as response:
        assert response.status == 200 and "text/css" in response.headers["Content-Type"]
    assert not os.environ.get("PANTAU_DEBUG")


def test_serve_refuses_an_unmigrated_database_and_says_what_to_do(tmp_path):
    result = run(tmp_path, "serve", "--port", "1")
    assert result.returncode != 0
    assert "pantau migrate" in result.stderr


@pytest.mark.parametrize("debug,expected", [("", "False"), ("1", "True")])
def test_debug_is_off_unless_asked(tmp_path, debug, expected):
    result = shell(
        tmp_path, "from django.conf import settings; print(settings.DEBUG)", PANTAU_DEBUG=debug
    )
    assert result.stdout.strip() == expected
