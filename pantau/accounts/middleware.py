"""Session expiry when idle, and the two-factor gate (pantau.accounts.two_factor)."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from pantau.accounts import two_factor

SEEN_KEY = "pantau_seen"
LOGIN_KEY = "pantau_login_at"
SEEN_EVERY = 60  # seconds: the session is written at most once a minute for the idle clock


class SessionIdleMiddleware:
    """Log out a session unused for settings.SESSION_IDLE_SECONDS (0: never), and any session
    SESSION_COOKIE_AGE after its login however active (writing the session for the idle clock
    pushes Django's own expiry on, so the login time is kept and checked here).

    The time of the last request is kept in the session with a one-minute resolution, so an
    active user costs one session write a minute, not one per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        idle = settings.SESSION_IDLE_SECONDS
        user = getattr(request, "user", None)
        if idle and user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            seen = request.session.get(SEEN_KEY)
            login_at = request.session.get(LOGIN_KEY, now)
            if (seen is not None and now - seen > idle) or (
                now - login_at > settings.SESSION_COOKIE_AGE
            ):
                logout(request)
                return redirect_to_login(request.get_full_path())
            if seen is None or now - seen >= SEEN_EVERY:
                request.session[SEEN_KEY] = now
        return self.get_response(request)


# Reachable before the second step: the steps themselves, logging out, the language switch and
# the installable app's files (they carry no data).
OPEN_PATHS = ("/akun/2fa/", "/keluar/", "/i18n/", "/sw.js", "/manifest.webmanifest", "/static/")


class TwoFactorMiddleware:
    """A logged-in user with a confirmed device must give a code before anything else; with
    PANTAU_REQUIRE_2FA the required roles must first enrol. The admin is behind it too. The API
    and ODK authenticate every request themselves and are not session-based."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(OPEN_PATHS + ("/api/", "/odk/"))
            and not user.is_verified()
        ):
            step = request.session.get(STEP_KEY)
            if step is None or (not step and two_factor.is_required(user)):
                # a session from before this was deployed, or from before PANTAU_REQUIRE_2FA
                # was switched on (is_required costs no query; second_step runs once)
                step = request.session[STEP_KEY] = second_step(user)
            if step:
                return self._send(request, step)
        return self.get_response(request)

    @staticmethod
    def _send(request, name):
        url = reverse(name)
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=403)
            response["HX-Redirect"] = url
            return response
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        return redirect(url)


STEP_KEY = "pantau_2fa_step"


def second_step(user) -> str:
    """The page a freshly logged-in user must pass before anything else ("" for none).
    Decided once at login and kept in the session: no query per request."""
    if two_factor.has_device(user):
        return "two-factor-verify"
    if two_factor.is_required(user):
        return "two-factor-enrol"
    return ""


def on_login(sender, request, user, **kwargs):
    """At login: start the idle clock and decide the second step."""
    if request is None or not hasattr(request, "session"):
        return
    request.session[SEEN_KEY] = request.session[LOGIN_KEY] = int(time.time())
    request.session[STEP_KEY] = second_step(user)
