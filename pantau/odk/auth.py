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
password is never remembered as good. Repeated failures for a username are counted in the cache
and answered with 429 for a while.
"""

import base64
import binascii

from django.contrib.auth import authenticate, get_user_model
from django.core.cache import cache
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from pantau.lib.errors import PantauError

REALM = "Pantau"
GOOD_FOR = 5 * 60  # seconds a verified password is remembered
MAX_FAILURES = 10  # wrong passwords for one username ...
FAILURE_WINDOW = 5 * 60  # ... within this many seconds, then 429 until it passes


class Unauthorized(PantauError):
    code = "unauthorized"
    status = 401


class TooManyAttempts(PantauError):
    code = "too_many_attempts"
    status = 429


def _digest(purpose: str, value: str) -> str:
    return salted_hmac(f"pantau.odk.auth.{purpose}", value, algorithm="sha256").hexdigest()


def _good_key(username: str, password: str) -> str:
    return "odk:auth:good:" + _digest("credentials", f"{username}\0{password}")


def _failures_key(username: str) -> str:
    return "odk:auth:failures:" + _digest("username", username.lower())


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
    """The active user whose Basic credentials `request` carries; Unauthorized (401) without
    valid ones, TooManyAttempts (429) after repeated failures."""
    credentials = basic_credentials(request)
    if credentials is None:
        raise Unauthorized(_("Log in with your Pantau username and password."))
    username, password = credentials
    good_key = _good_key(username, password)
    remembered = cache.get(good_key)
    if remembered:
        user_id, fingerprint = remembered
        user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
        if user is not None and constant_time_compare(fingerprint, _fingerprint(user)):
            return user
        cache.delete(good_key)
    failures_key = _failures_key(username)
    failures = cache.get(failures_key, 0)
    if failures >= MAX_FAILURES:
        raise TooManyAttempts(
            _("Too many wrong passwords. Wait a few minutes and try again."),
        )
    user = authenticate(request, username=username, password=password)
    if user is None:
        cache.set(failures_key, failures + 1, FAILURE_WINDOW)
        raise Unauthorized(_("Wrong username or password."), code="wrong_password")
    cache.delete(failures_key)
    cache.set(good_key, (user.pk, _fingerprint(user)), GOOD_FOR)
    return user
