"""Writes on accounts: enrolling and removing a two-factor device, making backup codes
(atomic, audited)."""

from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from pantau.accounts.two_factor import BACKUP_CODES, BACKUP_NAME, has_device, verify_code
from pantau.audit import log as audit
from pantau.lib.errors import Invalid


def do_start_totp_enrolment(user) -> TOTPDevice:
    """The user's unconfirmed TOTP device (a new secret unless one is waiting)."""
    with transaction.atomic():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="Pantau", confirmed=False)
    return device


def do_confirm_totp(user, code: str, *, request=None) -> TOTPDevice:
    """Confirm the waiting device with a code from the app; replaces any earlier device."""
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if device is None or not verify_code(device, code):
            raise Invalid(
                _("The code is not right. Check the time on your phone and try again."),
                fields={"code": _("The code is not right.")},
            )
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        audit.record(actor=user, action="user.2fa.enrol", obj=user, after={"device": "totp"})
    if request is not None:
        otp_login(request, device)
    return device


def do_remove_totp(user, *, acting_user) -> int:
    """Remove the user's devices and backup codes (the user, or an administrator for a lost
    phone)."""
    with transaction.atomic():
        count, _ = TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        if count:
            audit.record(actor=acting_user, action="user.2fa.remove", obj=user)
    return count


def do_make_backup_codes(user) -> list[str]:
    """New backup codes for an enrolled user; the earlier ones stop working. The codes are
    returned to be shown once (they are stored as django-otp keeps them)."""
    with transaction.atomic():
        if not has_device(user):
            raise Invalid(_("Turn two-factor login on first."))
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=BACKUP_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _i in range(BACKUP_CODES)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
        audit.record(
            actor=user, action="user.2fa.backup_codes", obj=user, after={"codes": len(codes)}
        )
    return codes


def do_set_phone(user, *, acting_user, phone: str) -> str:
    """Set the user's phone number (E.164 after `normalize`); "" removes it. Invalid when it is
    not a valid number or another account has it."""
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError

    from pantau.lib.phones import normalize

    try:
        phone = normalize(phone)
    except ValidationError as exc:
        raise Invalid(exc.messages[0], fields={"phone": exc.messages[0]}) from None
    User = get_user_model()
    with transaction.atomic():
        if phone and User.objects.filter(phone=phone).exclude(pk=user.pk).exists():
            raise Invalid(
                _("Another account already has this phone number."),
                fields={"phone": _("already used")},
            )
        before = user.phone
        if before != phone:
            User.objects.filter(pk=user.pk).update(phone=phone)
            user.phone = phone
            audit.record(
                actor=acting_user,
                action="user.phone",
                obj=user,
                before={"phone": before},
                after={"phone": phone},
            )
    return phone


def do_set_rank_and_nip(user, *, acting_user, rank: str, nip: str) -> tuple[str, str]:
    """Set the rank (pangkat, golongan) and NIP printed under the user's signature on the
    letters they sign; Invalid when the NIP does not have 18 digits or the rank is too long."""
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError

    from pantau.lib.nip import normalize_nip

    rank = " ".join((rank or "").split())
    if len(rank) > 100:
        raise Invalid(_("The rank is too long."), fields={"rank": _("at most 100 characters")})
    try:
        nip = normalize_nip(nip)
    except ValidationError as exc:
        raise Invalid(exc.messages[0], fields={"nip": exc.messages[0]}) from None
    before = {"rank": user.rank, "nip": user.nip}
    after = {"rank": rank, "nip": nip}
    if before != after:
        with transaction.atomic():
            get_user_model().objects.filter(pk=user.pk).update(**after)
            user.rank, user.nip = rank, nip
            audit.record(
                actor=acting_user, action="user.rank_nip", obj=user, before=before, after=after
            )
    return rank, nip
