"""A per-user limit on API writes (POST, PUT, PATCH, DELETE), for all endpoints at once.

Voting day brings bursts: a kecamatan operator's app re-sending a day's outbox, a village
reporting every TPS. The allowance (settings.API_WRITE_RATE, PANTAU_API_WRITE_RATE, default
600/m per user) is far above that and stops only a runaway client or a stolen token flooding the
desk. Counted in the shared cache (one add/incr per write, fixed window, django-ratelimit's
counter); over it the answer is 429 `rate_limited` with Retry-After, in the one error shape.
Reads are not limited here; the login endpoint has its own brake (pantau.accounts.logins).
"""

import threading

from django.conf import settings
from django_ratelimit.core import get_usage
from ninja.throttling import BaseThrottle

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _user_key(group, request) -> str:
    return str(request.auth.pk)


class WriteThrottle(BaseThrottle):
    def __init__(self):
        self._local = threading.local()  # wait() follows allow_request() in the same thread

    def allow_request(self, request) -> bool:
        self._local.wait = None
        rate = getattr(settings, "API_WRITE_RATE", "")
        if request.method in SAFE_METHODS or not rate or getattr(request, "auth", None) is None:
            return True
        usage = get_usage(
            request, group="pantau-api-write", key=_user_key, rate=rate, increment=True
        )
        if usage is not None and usage["should_limit"]:
            self._local.wait = max(1, usage["time_left"])
            return False
        return True

    def wait(self):
        return getattr(self._local, "wait", None)
