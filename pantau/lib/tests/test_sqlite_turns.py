"""Writers on one SQLite file take turns before SQLite's own lock (pantau.lib.sqlite): a burst
of concurrent write transactions all go through even with SQLite's busy handler switched off,
which without the queue fails them with "database is locked"."""

import threading
import time

import pytest
from django.db import connections

from pantau.lib.sqlite.base import DatabaseWrapper, _Turns


@pytest.fixture(autouse=True)
def _own_database(django_db_blocker):
    # These tests open their own database files, not the test database.
    with django_db_blocker.unblock():
        yield


def in_thread(function):
    """Run `function` in a thread of its own (no event loop left by a browser test around),
    re-raising what it raised."""
    raised = []

    def run():
        try:
            function()
        except BaseException as exc:  # noqa: BLE001 - re-raised below
            raised.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if raised:
        raise raised[0]


def wrapper(path, busy_ms=0) -> DatabaseWrapper:
    settings = {
        **connections["default"].settings_dict,
        "ENGINE": "pantau.lib.sqlite",
        "NAME": str(path),
        "OPTIONS": {
            "timeout": 10,
            "transaction_mode": "IMMEDIATE",
            "init_command": f"PRAGMA journal_mode=WAL;PRAGMA busy_timeout={busy_ms};",
        },
    }
    return DatabaseWrapper(settings, alias="turns")


def write(connection, value) -> None:
    connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO t (v) VALUES (%s)", [value])
        cursor.execute("SELECT count(*) FROM t")  # a little time holding the lock
    connection.commit()
    connection.set_autocommit(True)


def test_concurrent_writers_take_turns_instead_of_failing(tmp_path):
    in_thread(lambda: concurrent_writers(tmp_path))


def concurrent_writers(tmp_path):
    path = tmp_path / "turns.sqlite3"
    setup = wrapper(path, busy_ms=5000)
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)")
    setup.close()
    errors, done = [], []

    def writer(number):
        connection = wrapper(path)  # busy handler off: only the queue keeps writers apart
        try:
            for i in range(20):
                write(connection, number * 100 + i)
            done.append(number)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    check = wrapper(path)
    with check.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM t")
        assert cursor.fetchone()[0] == 8 * 20
    check.close()


def test_a_rolled_back_transaction_ends_its_turn(tmp_path):
    in_thread(lambda: rolled_back(tmp_path))


def rolled_back(tmp_path):
    path = tmp_path / "turns.sqlite3"
    first = wrapper(path, busy_ms=5000)
    with first.cursor() as cursor:
        cursor.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)")
    first.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    first.rollback()
    first.set_autocommit(True)
    second = wrapper(path)
    write(second, 1)  # would wait out its timeout if the rolled back turn were still held
    first.close()
    second.close()


def test_another_process_holding_the_turn_is_waited_for(tmp_path):
    """Two processes' queues on one file (each its own lock file descriptor, as after fork)."""
    path = str(tmp_path / "turns.sqlite3")
    mine, theirs = _Turns(path), _Turns(path)
    assert theirs.take(timeout=1)
    assert not mine.take(timeout=0.05)  # it waits while the other holds the turn
    theirs.give()
    assert mine.take(timeout=1)
    mine.give()


def test_a_wait_given_up_does_not_keep_the_turn(tmp_path):
    path = str(tmp_path / "turns.sqlite3")
    mine, theirs, third = _Turns(path), _Turns(path), _Turns(path)
    assert theirs.take(timeout=1)
    assert not mine.take(timeout=0.05)  # mine gives up; its waiting thread still waits
    theirs.give()
    assert third.take(timeout=2)  # mine's waiter, taking the turn for nobody, gave it back
    third.give()
    assert mine.take(timeout=2)  # and mine can wait again
    mine.give()


def test_turns_exclude_each_other_within_and_across_processes(tmp_path):
    """Two processes' queues (as after fork), four threads each, all taking turns: no two are
    ever in turn at once, and every turn is taken."""
    path = str(tmp_path / "turns.sqlite3")
    processes = [_Turns(path), _Turns(path)]
    inside, overlaps, turns = [0], [], []

    def writer(turns_of_process):
        for _ in range(50):
            assert turns_of_process.take(timeout=10)
            inside[0] += 1
            if inside[0] != 1:
                overlaps.append(inside[0])
            time.sleep(0.0002)  # hold the turn a little, as a transaction does
            inside[0] -= 1
            turns.append(1)
            turns_of_process.give()

    threads = [threading.Thread(target=writer, args=(p,)) for p in processes for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == []
    assert len(turns) == 2 * 4 * 50
