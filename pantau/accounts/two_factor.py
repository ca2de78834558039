"""Two-factor login (TOTP, django-otp): who must have it and checking a code.

Optional for everyone who enrols; with PANTAU_REQUIRE_2FA=1 (settings.REQUIRE_2FA) the
administrator, the Pj Bupati and the coordinators (Asisten) must enrol before using anything
(pantau.accounts.middleware.TwoFactorMiddleware) and need a code for an API token.
"""

from django.conf import settings
from django.utils.translation import gettext as _
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


def verify_code(device: TOTPDevice, code: str | None) -> bool:
    """Whether `code` (6 digits, spaces allowed) is the device's current code. django-otp
    refuses a code used before and slows down repeated failures."""
    code = (code or "").replace(" ", "").strip()
    if not code.isdigit() or len(code) > 8:
        return False
    return device.verify_token(code)


def check_api_login(user, code: str | None) -> None:
    """An API token by password alone is refused (403) to a user who enrolled or must enrol:
    the `otp` field of POST /api/v1/auth/token then has to carry the current code."""
    if not (is_required(user) or has_device(user)):
        return
    device = confirmed_device(user)
    if device is None:
        raise Forbidden(
            _("Two-factor login is required for your account. Set it up on the website first."),
            code="otp_enrolment_required",
        )
    if not verify_code(device, code):
        raise Forbidden(
            _("Enter the current code of your authenticator app in the field otp."),
            code="otp_required",
            fields={"otp": _("A valid code is required.")},
        )
