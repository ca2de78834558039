"""Who is calling the API: bearer tokens, and the brake on guessed passwords.

A token is `pantau_` and 43 random URL-safe characters (256 bits). Only its SHA-256 is stored
(`ApiToken.key_hash`, unique): the token is random, so a fast hash is right, and checking a
request costs one indexed lookup (token and user in one query), never a password hash. Voting day
brings hundreds of reports a second.

Failed logins are counted per username and per client address in the shared cache
(django-ratelimit): after LOGIN_FAILURES failures in the window, the next attempt answers 429
until the window passes, even with the right password.
"""

import datetime as dt
import hashlib
import ipaddress
import os
import secrets

from django.conf import settings
from django.contrib.auth import authenticate
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage
from ninja.security import HttpBearer

from pantau.api.errors import NotAuthenticated, RateLimited
from pantau.api.models import ApiToken

PREFIX = "pantau_"
LAST_USED_EVERY = dt.timedelta(minutes=1)  # last_used_at is written at most this often
LOGIN_FAILURES = "10/5m"  # failed logins allowed per username and per address, per window
LOGIN_FAILURES_ALLOWED = 10


def token_days() -> int:
    """How long a token lasts: settings.API_TOKEN_DAYS, else $PANTAU_API_TOKEN_DAYS, else 30."""
    days = getattr(settings, "API_TOKEN_DAYS", None)
    if days is None:
        days = os.environ.get("PANTAU_API_TOKEN_DAYS") or 30
    return max(1, int(days))


def new_key() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def user_for_key(key: str, now: dt.datetime | None = None):
    """The active user whose valid token `key` is; NotAuthenticated (401) otherwise, with the
    code saying why: not_authenticated, token_expired, token_revoked."""
    token = (
        ApiToken.objects.select_related("user", "user__position")
        .filter(key_hash=hash_key(key.strip()))
        .first()
    )
    if token is None or not token.user.is_active:
        raise NotAuthenticated(_("The token is not valid. Log in again."))
    if token.revoked_at is not None:
        raise NotAuthenticated(_("The token was revoked. Log in again."), code="token_revoked")
    now = now or timezone.now()
    if token.is_expired(now):
        raise NotAuthenticated(_("The token has expired. Log in again."), code="token_expired")
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    user = token.user
    user.api_token = token
    return user


class BearerAuth(HttpBearer):
    """`Authorization: Bearer <token>`; the user is `request.auth` (and `request.user`)."""

    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_key(token)
        request.user = user
        return user


# Failed logins


def client_address(group: str, request: HttpRequest) -> str:
    """The caller's address (an IPv6 address by its /64, what one client usually holds).
    Behind a proxy this is the proxy's unless the server passes the client's on."""
    address = request.META.get("REMOTE_ADDR") or "-"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return str(ip)


def _login_usages(request: HttpRequest, username: str, *, increment: bool) -> list[dict]:
    name = username.strip().lower()
    keys = [
        ("pantau-api-login-user", lambda group, req: name),
        ("pantau-api-login-ip", client_address),
    ]
    usages = []
    for group, key in keys:
        usage = get_usage(request, group=group, key=key, rate=LOGIN_FAILURES, increment=increment)
        if usage is not None:
            usages.append(usage)
    return usages


def check_login_allowed(request: HttpRequest, username: str) -> None:
    """RateLimited (429) after too many failed logins for this username or from this address."""
    blocked = [
        u
        for u in _login_usages(request, username, increment=False)
        if u["count"] >= LOGIN_FAILURES_ALLOWED
    ]
    if blocked:
        raise RateLimited(
            _("Too many failed logins. Wait a few minutes and try again."),
            retry_after=max(u["time_left"] for u in blocked),
        )


def login(request: HttpRequest, username: str, password: str):
    """The user with these credentials; counts a failure and answers 401 otherwise."""
    check_login_allowed(request, username)
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        _login_usages(request, username, increment=True)
        raise NotAuthenticated(_("Wrong username or password."), code="invalid_credentials")
    return user
