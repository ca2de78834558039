"""The WSGI application with a shorter middleware chain for the paths that need no more.

The OpenRosa endpoints (ODK Collect) carry HTTP Basic credentials on every request and no
cookies: no session, no CSRF token, no messages, no page and no login form is involved, yet the
full chain of `settings.MIDDLEWARE` ran for each of their requests (a tenth of a submission's
CPU). `settings.LEAN_MIDDLEWARE` maps a path prefix to the middleware its requests go through
instead; every other path takes `settings.MIDDLEWARE` as before. Each chain is a Django WSGI
handler of its own, loaded once at start.
"""

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler


class _Handler(WSGIHandler):
    def __init__(self, middleware: list[str]):
        self._middleware_paths = middleware
        super().__init__()

    def load_middleware(self, is_async=False):
        # BaseHandler reads settings.MIDDLEWARE: this handler's list stands in for it while
        # the chain is built (once, at start).
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = self._middleware_paths
        try:
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


class LeanPathsHandler:
    """Dispatches a request by its path to the chain of `settings.LEAN_MIDDLEWARE` whose prefix
    it starts with, else to the full chain."""

    def __init__(self):
        self.full = WSGIHandler()
        self.lean = [
            (prefix, _Handler(list(middleware)))
            for prefix, middleware in getattr(settings, "LEAN_MIDDLEWARE", {}).items()
        ]

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        for prefix, handler in self.lean:
            if path.startswith(prefix):
                return handler(environ, start_response)
        return self.full(environ, start_response)
