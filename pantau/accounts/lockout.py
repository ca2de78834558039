"""django-axes hooks: the brake's policy (pantau.accounts.logins) and the answer to a locked-out
login. The client address axes counts and logs is pantau.lib.client.client_ip."""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from django.conf import settings
from django.db.models import Sum
from django.shortcuts import render

from pantau.accounts import logins
from pantau.accounts.logins import cool_off_minutes, lockout_message
from pantau.lib.client import client_ip


class LoginHandler(AxesDatabaseHandler):
    """Axes' database handler, counting by the policy of pantau.accounts.logins:
    AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "username", "ip_address"] (in that
    order) give the failures per (username, address), per username and per address."""

    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        # API tokens and ODK have their own counters (pantau.accounts.logins): not counted
        # here, but a lock here holds there too (the backend checks the lock).
        if request is not None and request.path.startswith(("/api/", "/odk/")):
            request.axes_locked_out = self.is_locked(request, credentials)
            return None
        return super().user_login_failed(sender, credentials, request, **kwargs)

    def get_failures(self, request, credentials=None) -> int:
        pair, per_user, per_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        username = get_client_username(request, credentials) or ""
        locked = logins.is_locked(
            request, username, pair=pair, per_username=per_user, per_address=per_address
        )
        # axes compares this with AXES_FAILURE_LIMIT: the policy's answer in its terms.
        return settings.AXES_FAILURE_LIMIT if locked else min(pair, settings.AXES_FAILURE_LIMIT - 1)


def reset_on_login(sender, request, user, **kwargs):
    """A successful login clears that username's failures from this address, and makes the
    (username, address) a known client (pantau.accounts.logins). axes' own reset
    (AXES_RESET_ON_SUCCESS) would clear every failure from the address too, so that anyone with
    an account could lift the lock on the others from the same address."""
    from axes.models import AccessAttempt

    if request is None:
        return
    address = client_ip(request)
    AccessAttempt.objects.filter(username=user.get_username(), ip_address=address).delete()
    logins.remember_client(request, user.get_username())


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
