"""Appends from several processes at once, the way gunicorn workers and the task consumer write.

These run the `pantau` console script against a database of their own (a SQLite file, or a
fresh PostgreSQL database when the suite runs on PostgreSQL): the test database lives in a
transaction that other processes cannot see.
"""

import subprocess

import pytest

from pantau.conftest import pantau_script

WORKERS, EACH = 4, 25

WORKER = """
import pathlib, time
from django.db import transaction
from pantau.audit.log import record
pathlib.Path({ready!r}).touch()
while not pathlib.Path({go!r}).exists():
    time.sleep(0.005)
for i in range({each}):
    with transaction.atomic():
        record(actor=None, action="test.concurrent", object_type="worker",
               object_id="{worker}-%d" % i, after={{"i": i}})
        time.sleep(0.002)  # the rest of the caller's transaction: others must wait for it
"""

SUMMARY = """
from pantau.audit.models import AuditEntry
ids = list(AuditEntry.objects.order_by("id").values_list("id", flat=True))
names = set(AuditEntry.objects.values_list("object_id", flat=True))
print(len(ids), ids == list(range(1, len(ids) + 1)), len(names))
"""


@pytest.fixture
def scratch_env(scratch_env):
    pantau("migrate", "-v0", env=scratch_env)
    return scratch_env


def pantau(*args, env, check=True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [pantau_script(), *args], env=env, capture_output=True, text=True, timeout=120
    )
    if check:
        assert result.returncode == 0, result.stderr
    return result


def test_concurrent_appends_from_several_processes_keep_one_valid_chain(scratch_env, tmp_path):
    go = tmp_path / "go"
    workers = []
    for w in range(WORKERS):
        ready = tmp_path / f"ready-{w}"
        code = WORKER.format(ready=str(ready), go=str(go), each=EACH, worker=w)
        workers.append(
            (
                ready,
                subprocess.Popen(
                    [pantau_script(), "shell", "-c", code],
                    env=scratch_env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                ),
            )
        )
    try:
        for ready, proc in workers:
            while not ready.exists():
                assert proc.poll() is None, proc.communicate()[1]
        go.touch()  # all at once
        for _, proc in workers:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
    finally:
        for _, proc in workers:
            if proc.poll() is None:
                proc.kill()

    total = WORKERS * EACH
    summary = pantau("shell", "-c", SUMMARY, env=scratch_env).stdout.split()[-3:]
    assert summary == [str(total), "True", str(total)]  # every append, ids without a gap
    result = pantau("verifyaudit", env=scratch_env)
    assert f": {total} " in result.stdout


def test_the_console_script_fails_and_names_an_entry_altered_in_the_database(scratch_env):
    pantau(
        "shell",
        "-c",
        "from pantau.audit.log import record\n"
        "for i in range(3): record(actor=None, action='test.step', note=str(i))",
        env=scratch_env,
    )
    assert pantau("verifyaudit", env=scratch_env).returncode == 0
    pantau(
        "shell",
        "-c",
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute(\"UPDATE audit_auditentry SET note = 'nothing' WHERE id = 2\")",
        env=scratch_env,
    )
    result = pantau("verifyaudit", env=scratch_env, check=False)
    assert result.returncode != 0
    assert "#2 " in result.stderr and "test.step" in result.stderr
