"""The brake on guessed passwords, for every way in: the policy, and the password logins outside
the login page (API tokens, ODK Collect).

What is counted (the client's address is pantau.lib.client's, the proxy's header only when the
deployment says it is behind one):

- failures per (username, client address): settings.AXES_FAILURE_LIMIT (PANTAU_LOGIN_FAILURES,
  default 10) lock that username *from that address*; the real owner elsewhere still gets in.
- failures per username, from anywhere: only settings.LOGIN_USERNAME_FAILURES
  (PANTAU_LOGIN_USERNAME_FAILURES, default 100) lock the username everywhere. Usernames are
  predictable (camat-<kecamatan>): a low count here would let anyone lock a named official out.
- failures per client address: settings.LOGIN_ADDRESS_FAILURES (default 50) lock the address
  (an office or a mobile operator's NAT shares one: higher than per username).
- a client that logged in successfully recently (the same username from the same address in
  the last KNOWN_CLIENT_DAYS) is not held by the username-wide or the address-wide lock: only
  by its own (username, address) count.

The login page counts in the database (django-axes, pantau.accounts.lockout.LoginHandler, which
applies this policy); the API and ODK count in the shared cache (django-ratelimit's counters)
here. Past the allowance the next attempt answers 429 with Retry-After until the cool-off
(PANTAU_LOGIN_COOLOFF_MINUTES) passes, even with the right password.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from pantau.lib.client import client_key
from pantau.lib.errors import NotAuthenticated, RateLimited

KNOWN_CLIENT_DAYS = 14


def pair_limit() -> int:
    return settings.AXES_FAILURE_LIMIT


def username_limit() -> int:
    return getattr(settings, "LOGIN_USERNAME_FAILURES", 10 * settings.AXES_FAILURE_LIMIT)


def address_limit() -> int:
    return settings.LOGIN_ADDRESS_FAILURES


def cool_off_minutes() -> int:
    return max(1, round(dt.timedelta(hours=settings.AXES_COOLOFF_TIME).total_seconds() / 60))


def lockout_message() -> str:
    return _(
        "Too many failed logins. Wait %(minutes)s minutes and try again, or ask the administrator."
    ) % {"minutes": cool_off_minutes()}


def _name(username: str) -> str:
    return (username or "").strip().lower()


def _known_key(request, username: str) -> str:
    digest = salted_hmac(
        "pantau.accounts.logins.known", f"{_name(username)}\0{client_key(request)}"
    ).hexdigest()
    return "pantau:login:known:" + digest


def remember_client(request, username: str) -> None:
    """After a successful login: this username from this address is a known client."""
    cache.set(_known_key(request, username), 1, KNOWN_CLIENT_DAYS * 86400)


def is_known_client(request, username: str) -> bool:
    return bool(username) and bool(cache.get(_known_key(request, username)))


def is_locked(request, username: str, *, pair: int, per_username: int, per_address: int) -> bool:
    """The policy, given the failures counted for this attempt."""
    if pair >= pair_limit():
        return True
    if is_known_client(request, username):
        return False
    return per_username >= username_limit() or per_address >= address_limit()


def _login_usages(request: HttpRequest, username: str, *, increment: bool) -> dict[str, dict]:
    name = _name(username)
    window = f"{cool_off_minutes()}m"
    keys = {
        "pair": ("pantau-login-pair", lambda g, r: f"{name}\0{client_key(r)}", pair_limit()),
        "username": ("pantau-login-user", lambda g, r: name, username_limit()),
        "address": ("pantau-login-ip", lambda g, r: client_key(r), address_limit()),
    }
    usages = {}
    for what, (group, key, allowed) in keys.items():
        usage = get_usage(
            request, group=group, key=key, rate=f"{allowed}/{window}", increment=increment
        )
        if usage is not None:
            usages[what] = usage
    return usages


def check_login_allowed(request: HttpRequest, username: str) -> None:
    """RateLimited (429) when the policy above holds this attempt back."""
    usages = _login_usages(request, username, increment=False)
    counts = {what: usage["count"] for what, usage in usages.items()}
    if is_locked(
        request,
        username,
        pair=counts.get("pair", 0),
        per_username=counts.get("username", 0),
        per_address=counts.get("address", 0),
    ):
        raise RateLimited(
            _("Too many failed logins. Wait a few minutes and try again."),
            retry_after=max(1, max(u["time_left"] for u in usages.values())),
        )


def password_login(request: HttpRequest, username: str, password: str):
    """The user with these credentials; counts a failure and answers 401 otherwise."""
    check_login_allowed(request, username)
    user = authenticate(request, username=username, password=password)
    if getattr(request, "axes_locked_out", False):
        # The login page's lock (django-axes) holds here too, right password or not.
        raise RateLimited(lockout_message(), retry_after=cool_off_minutes() * 60)
    if user is None or not user.is_active:
        _login_usages(request, username, increment=True)
        raise NotAuthenticated(_("Wrong username or password."), code="invalid_credentials")
    remember_client(request, username)
    return user
