"""Counts of events in fixed windows of time, shared by every process of the server: the API's
write limit (pantau/api/throttle.py) counts each write of a user here.

`hit(name, period)` counts one event in the current window of `period` seconds and returns the
count so far and the seconds left in the window. A cache that counts cheaply itself (the
embedded default's FileCache: one byte appended to a file) is asked with its `hit`; any other
(Redis, the tests' local memory) with `add` and `incr`, as django-ratelimit does. A cache that
fails counts nothing: the caller lets the request through (a broken cache must not lock everyone
out on voting day), and it is logged.
"""

import functools
import logging
import re
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^(\d+)/(\d*)([smhd])$")


@functools.cache
def parse_rate(rate: str) -> tuple[int, int]:
    """A rate in django-ratelimit's format as (events, seconds): "600/m" is (600, 60),
    "100/5m" is (100, 300)."""
    found = _RATE.match(rate.strip())
    if found is None:
        raise ValueError(f"not a rate: {rate!r} (write it as 600/m, 20/h or 100/5m)")
    count, multiple, unit = found.groups()
    return int(count), int(multiple or 1) * UNITS[unit]


def hit(name: str, period: int) -> tuple[int | None, int]:
    """One more event of `name` in the current window: (the count, seconds left in the
    window); the count is None when the cache could not count."""
    now = int(time.time())
    start = now - now % period
    key = f"pantau-count:{name}:{start}"
    left = start + period - now
    try:
        if hasattr(cache, "hit"):
            return cache.hit(key, period), left
        if cache.add(key, 1, period + 1):
            return 1, left
        return cache.incr(key), left
    except Exception:
        logger.exception("Counting %s failed; not counted", name)
        return None, left
