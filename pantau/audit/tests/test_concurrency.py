"""Appends from several processes at once, the way gunicorn workers and the task consumer write.

These run the `pantau` console script against a database of their own (a SQLite file, or a
fresh PostgreSQL database when the suite runs on PostgreSQL): the test database lives in a
transaction that other processes cannot see.
"""

import os
import signal
import subprocess
import time

import pytest

from pantau.conftest import pantau_script

WORKERS, EACH = 4, 25

WORKER = """
import pathlib, time
from django.db import transaction
from pantau.audit import sequencer
from pantau.audit.log import record
if {thread!r}:
    sequencer.start_thread()  # as in a web worker; chains the rest at exit
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
seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
names = set(AuditEntry.objects.values_list("object_id", flat=True))
print(len(seqs), seqs == list(range(1, len(seqs) + 1)), len(names))
"""

# Queues entries without chaining them (as if every sequencer had died), then one sequencer
# that is SIGKILLed in the middle of its first batch.
QUEUE = """
from django.db import transaction
from pantau.audit import sequencer
from pantau.audit.log import record
sequencer.wake = lambda: None
for i in range({n}):
    with transaction.atomic():
        record(actor=None, action="test.queued", object_id=str(i), after={{"i": i}})
"""
KILLED_SEQUENCER = """
import pathlib, time
from pantau.audit import sequencer
real, seen = sequencer.entry_hash, []
def slow(values):
    seen.append(1)
    if len(seen) == {at}:
        pathlib.Path({mid!r}).touch()  # half of a batch hashed and not yet written
        time.sleep(60)
    return real(values)
sequencer.entry_hash = slow
sequencer.chain_queued(batch_size={batch})
"""
CHAINED = """
from pantau.audit.models import AuditEntry
from pantau.audit.sequencer import chain_queued
print("chained", chain_queued())
rows = list(AuditEntry.objects.order_by("seq").values_list("id", "seq"))
print(len(rows), [i for i, _ in rows] == sorted(i for i, _ in rows),
      [s for _, s in rows] == list(range(1, len(rows) + 1)))
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


@pytest.mark.parametrize("thread", [False, True], ids=["on-commit", "thread"])
def test_concurrent_appends_from_several_processes_keep_one_valid_chain(
    scratch_env, tmp_path, thread
):
    go = tmp_path / "go"
    workers = []
    for w in range(WORKERS):
        ready = tmp_path / f"ready-{w}"
        code = WORKER.format(ready=str(ready), go=str(go), each=EACH, worker=w, thread=thread)
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
    # every append chained, once each, positions without a gap
    assert summary == [str(total), "True", str(total)]
    result = pantau("verifyaudit", env=scratch_env)
    assert f": {total} " in result.stdout and len(result.stdout.splitlines()) == 1


def test_a_sequencer_killed_mid_batch_loses_nothing(scratch_env, tmp_path):
    total = 30
    pantau("shell", "-c", QUEUE.format(n=total), env=scratch_env)
    waiting = pantau("verifyaudit", env=scratch_env).stdout
    assert f"{total} " in waiting.splitlines()[0] and ": 0 " in waiting  # all queued
    mid = tmp_path / "mid"
    code = KILLED_SEQUENCER.format(at=15, mid=str(mid), batch=20)
    proc = subprocess.Popen(
        [pantau_script(), "shell", "-c", code], env=scratch_env, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while not mid.exists():
            assert proc.poll() is None, proc.communicate()[1]
            assert time.monotonic() < deadline
            time.sleep(0.01)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    # the killed batch left no trace: everything still queued, the (empty) chain verifies
    after_kill = pantau("verifyaudit", env=scratch_env).stdout
    assert f"{total} " in after_kill.splitlines()[0] and ": 0 " in after_kill
    out = pantau("shell", "-c", CHAINED, env=scratch_env).stdout.split()
    assert out[-5:] == ["chained", str(total), str(total), "True", "True"]
    result = pantau("verifyaudit", env=scratch_env)
    assert f": {total} " in result.stdout and len(result.stdout.splitlines()) == 1


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
