"""Two-factor login (TOTP, django-otp): who must have it and checking a code.

Optional for everyone who enrols; with PANTAU_REQUIRE_2FA=1 (settings.REQUIRE_2FA) the
administrator, the Pj Bupati and the coordinators (Asisten) must enrol before using anything
(pantau.accounts.middleware.TwoFactorMiddleware) and need a code for an API token.

A lost or broken phone: each enrolled user can print backup codes (django-otp's static device,
BACKUP_CODES single-use codes of 8 letters and digits), accepted wherever the app's code is.
"""

import re

from django.conf import settings
from django.utils.translation import gettext as _
from django_otp import verify_token
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from pantau.instruction.models import Role
from pantau.lib.errors import Forbidden

REQUIRED_ROLES = frozenset({Role.ADMIN, Role.BUPATI, Role.COORDINATOR})


def is_required(user) -> bool:
    """Whether this deployment requires a second factor of `user`."""
    return bool(settings.REQUIRE_2FA) and (user.role in REQUIRED_ROLES or user.is_superuser)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


BACKUP_CODES = 10
BACKUP_NAME = "backup"
BACKUP_CODE = re.compile(r"^[a-z2-7]{8}$")  # django-otp's StaticToken.random_token()


def backup_device(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, name=BACKUP_NAME).first()


def backup_codes_left(user) -> int:
    device = backup_device(user)
    return device.token_set.count() if device else 0


def _clean(code: str | None) -> str:
    return (code or "").replace(" ", "").replace("-", "").strip().lower()


def verify_code(device: TOTPDevice, code: str | None) -> bool:
    """Whether `code` (6 digits, spaces allowed) is the device's current code. django-otp
    refuses a code used before and slows down repeated failures."""
    code = _clean(code)
    if not code.isdigit() or len(code) > 8:
        return False
    return device.verify_token(code)


def check_code(user, code: str | None) -> Device | None:
    """The device that takes `code` from `user`: the authenticator app's current code, or one
    of the backup codes (used up by this). None when neither does."""
    code = _clean(code)
    if code.isdigit():
        device = confirmed_device(user)
        if device is not None and verify_code(device, code):
            return device
    elif BACKUP_CODE.match(code) and has_device(user):
        device = backup_device(user)
        if device is not None:
            # in a transaction with the device locked: a code is taken once, even by two
            # requests at the same moment
            return verify_token(user, device.persistent_id, code)
    return None


def check_api_login(user, code: str | None) -> bool:
    """An API token by password alone is refused (403) to a user who enrolled or must enrol:
    the `otp` field of POST /api/v1/auth/token then has to carry the current code. True when a
    second factor was verified (the token records it: see `token_allowed`)."""
    if not (is_required(user) or has_device(user)):
        return False
    if not has_device(user):
        raise Forbidden(
            _("Two-factor login is required for your account. Set it up on the website first."),
            code="otp_enrolment_required",
        )
    if check_code(user, code) is None:
        raise Forbidden(
            _(
                "Enter the current code of your authenticator app (or a backup code) in the "
                "field otp."
            ),
            code="otp_required",
            fields={"otp": _("A valid code is required.")},
        )
    return True


def token_allowed(user, token) -> bool:
    """Whether `token` opens the API for `user`: for an account that must use two factors,
    only a token issued after a verified code (one made before PANTAU_REQUIRE_2FA was switched
    on, or by password alone, does not). No query: the token row is at hand."""
    return not is_required(user) or token.second_factor
