"""The embedded default's shared cache: Django's file cache, culled now and then.

Django's `FileBasedCache` lists its whole directory on every write to decide whether to cull.
Every API write counts in it (the per-user write limit) and every ODK login is remembered in
it, so on voting day the directory holds an entry per active account and the listing grew with
them: 0.14 ms of a report's CPU with 60 entries, more with thousands. Here the check runs on one
write in CULL_EVERY of each process; between checks the directory may exceed MAX_ENTRIES by
that many writes, which only costs disk.
"""

import itertools

from django.core.cache.backends.filebased import FileBasedCache

CULL_EVERY = 100


class FileCache(FileBasedCache):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._writes = itertools.count(1)  # (next() on it is atomic: threads share it)

    def _cull(self):
        if next(self._writes) % CULL_EVERY == 0:
            super()._cull()
