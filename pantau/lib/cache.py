"""The embedded default's shared cache: Django's file cache, culled now and then.

Django's `FileBasedCache` lists its whole directory on every write to decide whether to cull.
Every API write counts in it (the per-user write limit) and every ODK login is remembered in
it, so on voting day the directory holds an entry per active account and the listing grew with
them: 0.14 ms of a report's CPU with 60 entries, more with thousands. Here the check runs on one
write in CULL_EVERY of each process; between checks the directory may exceed MAX_ENTRIES by
that many writes, which only costs disk.

It also counts (`hit`, for pantau/lib/counters.py): a counter is a file in `counters/` that
each hit appends one byte to, and its count is the file's size. An append is atomic across
processes, so nothing is lost between workers, and it costs four system calls where `add` and
`incr` read, unpickle, pickle and rename a file (0.6 ms of CPU on every API write, measured).
"""

import hashlib
import itertools
import os
import shutil
import time

from django.core.cache.backends.filebased import FileBasedCache

CULL_EVERY = 100


class FileCache(FileBasedCache):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._writes = itertools.count(1)  # (next() on it is atomic: threads share it)
        self._hits = itertools.count(1)
        self._counters = os.path.join(self._dir, "counters")

    def _cull(self):
        if next(self._writes) % CULL_EVERY == 0:
            super()._cull()

    def hit(self, key: str, timeout: int) -> int:
        """Count one more for `key`, a name of its own for each window (a new window is a new
        key); the count. Counters not hit for `timeout` seconds are removed now and then."""
        path = os.path.join(self._counters, hashlib.sha256(key.encode()).hexdigest())
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT
        try:
            fd = os.open(path, flags, 0o600)
        except FileNotFoundError:
            os.makedirs(self._counters, 0o700, exist_ok=True)
            fd = os.open(path, flags, 0o600)
        try:
            os.write(fd, b".")
            count = os.fstat(fd).st_size
        finally:
            os.close(fd)
        if next(self._hits) % CULL_EVERY == 0:
            self._cull_counters(timeout)
        return count

    def _cull_counters(self, timeout: int) -> None:
        ended = time.time() - timeout
        for entry in os.scandir(self._counters):
            try:
                if entry.stat().st_mtime < ended:
                    os.remove(entry.path)
            except FileNotFoundError:  # removed by another process meanwhile
                pass

    def clear(self):
        super().clear()
        shutil.rmtree(self._counters, ignore_errors=True)
