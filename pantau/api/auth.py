"""Who is calling the API: bearer tokens, and the brake on guessed passwords.

A token is `pantau_` and 43 random URL-safe characters (256 bits). Only its SHA-256 is stored
(`ApiToken.key_hash`, unique): the token is random, so a fast hash is right, and checking a
request costs one indexed lookup (token and user in one query), never a password hash. Voting day
brings hundreds of reports a second.
Password logins (and their brake on guessing) are in pantau/accounts/logins.py.
"""

import datetime as dt
import hashlib
import os
import secrets

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from pantau.accounts import two_factor
from pantau.api.models import ApiToken
from pantau.lib.errors import NotAuthenticated

PREFIX = "pantau_"
LAST_USED_EVERY = dt.timedelta(minutes=1)  # last_used_at is written at most this often


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
    if not two_factor.token_allowed(token.user, token):
        raise NotAuthenticated(
            _(
                "Your account must use two-factor login and this token was issued without it. "
                "Log in again with the code of your authenticator app."
            ),
            code="otp_required",
        )
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
