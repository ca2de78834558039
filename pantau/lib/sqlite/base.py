"""Django's SQLite backend with writers taking their turn in a queue instead of polling.

SQLite lets one writer at a time hold the database (an IMMEDIATE transaction takes the write
lock at BEGIN). A writer that finds it taken is left to SQLite's busy handler, which sleeps and
tries again: 1, 2, 5, 10 ... then 100 ms between tries. Under a burst (16 phones submitting at
once over 5 workers) the lock, held ~5 ms by each transaction, sits free while the waiters
sleep out their back-off and a newcomer, still at 1 ms, takes it ahead of them: the throughput
falls as clients are added and the waits grow to seconds.

Here a write transaction first waits its turn in this process (a lock the releasing thread
hands over at once) and then across processes (an flock on `<database>-writer.lock`, tried
every 0.5-2 ms; only one thread per process asks), and only then sends BEGIN IMMEDIATE, so that
SQLite's lock is nearly always free when asked for. The turn ends with the COMMIT or ROLLBACK.
After `timeout` seconds (the database's) of waiting a transaction goes ahead without its turn
and SQLite's busy handler decides, as without this backend. An in-memory database (tests) has
one process and needs none of this.
"""

import fcntl
import os
import threading
import time

from django.db.backends.sqlite3 import base

MAX_POLL = 0.0005  # seconds between tries of the cross-process lock


class _Turns:
    """One queue of writers per database file in this process."""

    _all: dict[str, "_Turns"] = {}
    _guard = threading.Lock()

    def __init__(self, path: str):
        self.threads = threading.Lock()
        self.fd = os.open(path + "-writer.lock", os.O_RDWR | os.O_CREAT, 0o600)
        self.pid = os.getpid()

    @classmethod
    def of(cls, path: str) -> "_Turns":
        with cls._guard:
            turns = cls._all.get(path)
            if turns is None or turns.pid != os.getpid():  # a forked worker opens its own
                turns = cls._all[path] = cls(path)
            return turns

    def take(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        if not self.threads.acquire(timeout=timeout):
            return False
        pause = 0.0005
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    self.threads.release()
                    return False
                time.sleep(pause)
                pause = min(pause * 2, MAX_POLL)

    def give(self) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        self.threads.release()


class DatabaseWrapper(base.DatabaseWrapper):
    _turn: _Turns | None = None

    def _turns(self) -> _Turns | None:
        if self.transaction_mode not in ("IMMEDIATE", "EXCLUSIVE") or self.is_in_memory_db():
            return None
        return _Turns.of(str(self.settings_dict["NAME"]))

    def _start_transaction_under_autocommit(self):
        turns = self._turns()
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 5))
        if turns is not None and turns.take(timeout):
            self._turn = turns
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._end_turn()
            raise

    def _end_turn(self) -> None:
        turn, self._turn = self._turn, None
        if turn is not None:
            turn.give()

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._end_turn()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._end_turn()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._end_turn()
