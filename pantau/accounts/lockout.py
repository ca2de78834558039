"""django-axes hooks: the answer to a locked-out login, and the client address it counts."""

import datetime as dt
import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render
from django.utils.translation import gettext as _


class LoginHandler(AxesDatabaseHandler):
    """Axes' database handler, with a higher allowance per client address than per username
    (AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"], in that order): a kecamatan office or
    a mobile operator's NAT puts many officials behind one address, and one person's typos must
    not lock out the office on voting day."""

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        # API tokens and ODK have their own allowance (pantau.accounts.logins): not counted
        # here, but a username locked here is locked there too (the backend checks the lock).
        if request is not None and request.path.startswith(("/api/", "/odk/")):
            request.axes_locked_out = self.is_locked(request, credentials)
            return None
        return super().user_login_failed(sender, credentials, request, **kwargs)

    def get_failures(self, request, credentials=None) -> int:
        per_user, per_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        # Scaled so that AXES_FAILURE_LIMIT stands for PANTAU_LOGIN_ADDRESS_FAILURES.
        scaled = per_address * settings.AXES_FAILURE_LIMIT // settings.LOGIN_ADDRESS_FAILURES
        return max(per_user, scaled)


def reset_on_login(sender, request, user, **kwargs):
    """A successful login clears that username's failures, and only those: axes' own reset
    (AXES_RESET_ON_SUCCESS) would clear every failure from the address too, so that anyone with
    an account could lift the lock on the others from the same address."""
    from axes.models import AccessAttempt

    AccessAttempt.objects.filter(username=user.get_username()).delete()


def client_ip(request) -> str | None:
    """REMOTE_ADDR; behind a TLS proxy (PANTAU_BEHIND_PROXY=1) the client's address as the proxy
    passes it (the last X-Forwarded-For entry, the one the proxy itself appended). None when
    there is no valid address (a request made inside the server, e.g. in tests)."""
    candidates = [request.META.get("REMOTE_ADDR") or ""]
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        candidates.insert(0, request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip())
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


def cool_off_minutes() -> int:
    return max(1, round(dt.timedelta(hours=settings.AXES_COOLOFF_TIME).total_seconds() / 60))


def lockout_message() -> str:
    return _(
        "Too many failed logins. Wait %(minutes)s minutes and try again, or ask the administrator."
    ) % {"minutes": cool_off_minutes()}


def lockout_response(request, original_response=None, credentials=None):
    """The login page with the message and 429 (the API and ODK keep their own 429 answer)."""
    if original_response is not None and original_response.status_code == 429:
        return original_response
    if request.path.startswith(("/api/", "/odk/")):
        from pantau.api.errors import error_response

        return error_response(
            429,
            "rate_limited",
            lockout_message(),
            headers={"Retry-After": str(cool_off_minutes() * 60)},
        )
    response = render(
        request,
        "web/login.html",
        {"locked_out": lockout_message(), "next": request.POST.get("next", "")},
        status=429,
    )
    response["Retry-After"] = str(cool_off_minutes() * 60)
    return response
