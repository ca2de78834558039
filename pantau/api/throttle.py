"""A per-user limit on API writes (POST, PUT, PATCH, DELETE), for all endpoints at once.

Voting day brings bursts: a kecamatan operator's app re-sending a day's outbox, a village
reporting every TPS. The allowance (settings.API_WRITE_RATE, PANTAU_API_WRITE_RATE, default
600/m per user) is far above that and stops only a runaway client or a stolen token flooding the
desk. Counted in the shared cache (pantau/lib/counters.py, fixed window); over it the answer is
429 `rate_limited` with Retry-After, in the one error shape. Reads are not limited here; the
login endpoint has its own brake (pantau.accounts.logins).
"""

import threading

from django.conf import settings
from ninja.throttling import BaseThrottle

from pantau.lib import counters

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class WriteThrottle(BaseThrottle):
    def __init__(self):
        self._local = threading.local()  # wait() follows allow_request() in the same thread

    def allow_request(self, request) -> bool:
        self._local.wait = None
        rate = getattr(settings, "API_WRITE_RATE", "")
        if request.method in SAFE_METHODS or not rate or getattr(request, "auth", None) is None:
            return True
        limit, period = counters.parse_rate(rate)
        count, left = counters.hit(f"api-write:{request.auth.pk}", period)
        if count is not None and count > limit:
            self._local.wait = max(1, left)
            return False
        return True

    def wait(self):
        return getattr(self._local, "wait", None)
