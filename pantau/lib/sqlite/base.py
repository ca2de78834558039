"""Django's SQLite backend with writers taking their turn in a queue instead of polling.

SQLite lets one writer at a time hold the database (an IMMEDIATE transaction takes the write
lock at BEGIN). A writer that finds it taken is left to SQLite's busy handler, which sleeps and
tries again: 1, 2, 5, 10 ... then 100 ms between tries. Under a burst (16 phones submitting at
once over 5 workers) the lock, held ~5 ms by each transaction, sits free while the waiters
sleep out their back-off and a newcomer, still at 1 ms, takes it ahead of them: the throughput
falls as clients are added and the waits grow to seconds.

Here a write transaction first waits its turn in this process (a lock the releasing thread
hands over at once) and then across processes (an flock on `<database>-writer.lock`; only one
thread per process asks), and only then sends BEGIN IMMEDIATE, so that SQLite's lock is nearly
always free when asked for. The turn ends with the COMMIT or ROLLBACK. When another process
holds the turn, a thread of this process waits for it in a blocking flock: the kernel wakes it
the moment the turn is free, and nobody polls (trying every 0.5 ms from five workers cost a
twentieth of the CPU of a burst). After `timeout` seconds (the database's) of waiting a
transaction goes ahead without its turn and SQLite's busy handler decides, as without this
backend. An in-memory database (tests) has one process and needs none of this.
"""

import fcntl
import os
import threading
import time

from django.db.backends.sqlite3 import base


class _Turns:
    """One queue of writers per database file in this process."""

    _all: dict[str, "_Turns"] = {}
    _guard = threading.Lock()

    def __init__(self, path: str):
        self.threads = threading.Lock()
        self.path = path + "-writer.lock"
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        self.pid = os.getpid()
        self._held: int | None = None  # the descriptor holding the turn (by the thread in turn)
        self._waiter: _Waiter | None = None

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
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            self._held = self.fd
            return True
        except BlockingIOError:
            pass
        if self._waiter is None:
            self._waiter = _Waiter(self.path)
        if self._waiter.wait(deadline - time.monotonic()):
            self._held = self._waiter.fd
            return True
        self.threads.release()
        return False

    def give(self) -> None:
        held, self._held = self._held, None
        fcntl.flock(held, fcntl.LOCK_UN)
        if held != self.fd:
            self._waiter.given_back()
        self.threads.release()


class _Waiter:
    """A thread blocked in flock on a descriptor of its own, for whichever thread of this
    process waits for the turn now (one at a time: the others wait for `threads`). If that
    thread stops waiting (its timeout), the turn, once taken, is given back at once."""

    def __init__(self, path: str):
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        self.changed = threading.Condition()
        self.wanted: threading.Event | None = None  # set when the turn is this thread's
        self.lent = False
        threading.Thread(target=self._run, name="sqlite-turns", daemon=True).start()

    def wait(self, timeout: float) -> bool:
        got = threading.Event()
        with self.changed:
            self.wanted = got
            self.changed.notify_all()
        if got.wait(max(0.0, timeout)):
            return True
        with self.changed:
            if got.is_set():  # in the last instant
                return True
            self.wanted = None
            return False

    def given_back(self) -> None:
        with self.changed:
            self.lent = False
            self.changed.notify_all()

    def _run(self) -> None:
        while True:
            with self.changed:
                while self.wanted is None:
                    self.changed.wait()
            fcntl.flock(self.fd, fcntl.LOCK_EX)  # the GIL is released while it blocks
            with self.changed:
                got, self.wanted = self.wanted, None
                if got is None:  # nobody waits any more
                    fcntl.flock(self.fd, fcntl.LOCK_UN)
                    continue
                self.lent = True
                got.set()
                while self.lent:
                    self.changed.wait()


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
