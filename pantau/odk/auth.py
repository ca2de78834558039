"""HTTP Basic authentication of ODK Collect over the user's Pantau account.

ODK Collect asks without credentials, gets 401 with a `WWW-Authenticate: Basic` challenge and
asks again with them. It sends Basic credentials only over HTTPS, which is also the only way
they are safe: Pantau's ODK endpoints need a TLS proxy in front in production.

Digest authentication is not offered: it needs the password (or an MD5 of it) on the server,
and Pantau keeps only Django's slow password hashes.

On voting day hundreds of phones send at once, and every request carries the password; hashing
it each time would cost a CPU-heavy PBKDF2 per request. A verified (username, password) is
therefore remembered in the cache for a few minutes under an HMAC of both made with the
SECRET_KEY (the password itself is never stored), together with a fingerprint of the user's
password hash so that a changed password or a deactivated account ends it at once. A wrong
password is never remembered as good. Checking a password goes through
`pantau.accounts.logins.password_login`, with the same brake on guessing as the API.

The user found for remembered credentials is also kept in each server process for a few seconds
(`pantau.lib.kept`): reading the cache entry and the user's row was a quarter of a submission's
CPU. A save of the user (a new password, the account switched off) ends it at once in the process
that saved it and within `kept.TTL` (10) seconds in the others.
"""

import base64
import binascii
import copy

from django.core.cache import cache
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from pantau.accounts import two_factor
from pantau.accounts.logins import password_login
from pantau.accounts.models import User
from pantau.lib.errors import Forbidden, NotAuthenticated
from pantau.lib.kept import Kept

REALM = "Pantau"
GOOD_FOR = 5 * 60  # seconds a verified password is remembered


def _digest(purpose: str, value: str) -> str:
    return salted_hmac(f"pantau.odk.auth.{purpose}", value, algorithm="sha256").hexdigest()


def _good_key(username: str, password: str) -> str:
    return "odk:auth:good:" + _digest("credentials", f"{username}\0{password}")


def _fingerprint(user) -> str:
    return _digest("password-hash", user.password)


def basic_credentials(request) -> tuple[str, str] | None:
    """(username, password) from an `Authorization: Basic` header, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, sep, password = decoded.partition(":")
    if not sep or not username:
        return None
    return username, password


def authenticate_request(request):
    """The active user whose Basic credentials `request` carries; NotAuthenticated (401)
    without valid ones, RateLimited (429) after repeated failures, Forbidden (403) for an
    account that must use two-factor login (Basic credentials cannot carry the code)."""
    user = _basic_user(request)
    if two_factor.is_required(user):
        raise Forbidden(
            _(
                "Your account must use two-factor login, which ODK Collect cannot do. "
                "Send reports from the website or the app with an API token."
            )
        )
    return user


_verified = Kept("odk-basic-users", models=(User,))


def _basic_user(request):
    credentials = basic_credentials(request)
    if credentials is None:
        raise NotAuthenticated(_("Log in with your Pantau username and password."))
    username, password = credentials
    good_key = _good_key(username, password)
    user = _verified.get(good_key, lambda: _checked_user(request, username, password, good_key))
    return copy.copy(user)  # a request's own: what it notes on its user stays with it


def _checked_user(request, username: str, password: str, good_key: str):
    remembered = cache.get(good_key)
    if remembered:
        user_id, fingerprint = remembered
        # get() rather than filter().first(): no ORDER BY to build, half the CPU of the look-up.
        try:
            user = User.objects.get(pk=user_id, is_active=True)
        except User.DoesNotExist:
            user = None
        if user is not None and constant_time_compare(fingerprint, _fingerprint(user)):
            return user
        cache.delete(good_key)
    user = password_login(request, username, password)
    cache.set(good_key, (user.pk, _fingerprint(user)), GOOD_FOR)
    return user
