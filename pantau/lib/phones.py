"""Phone numbers: one form (E.164, "+6281234567890") wherever Pantau stores or compares one.

A number typed the Indonesian way ("0812-3456-7890", "62812...") becomes E.164 too: the default
region is Indonesia. The `phonenumbers` package (Google's libphonenumber) decides validity.
"""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DEFAULT_REGION = "ID"


def normalize(raw: str) -> str:
    """`raw` as E.164 ("" stays ""); ValidationError with a message in the user's language."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    text = raw
    digits = "".join(c for c in text if c.isdigit())
    if text.startswith("62") and len(digits) > 10:
        text = "+" + text  # 62812... as WhatsApp and some SMS gateways send it
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("%(value)s is not a valid phone number. Write it as +62812… or 0812…")
            % {"value": raw[:40]},
            code="invalid_phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_or_none(raw: str) -> str | None:
    """E.164, or None for anything that is not a valid number (an incoming sender)."""
    try:
        return normalize(raw) or None
    except ValidationError:
        return None


def validate_phone(value: str) -> None:
    """A model field validator: the stored value must already be E.164 (see `normalize`)."""
    if value and normalize(value) != value:
        raise ValidationError(_("Write the phone number as +62812…"), code="invalid_phone")


def call_links(e164: str) -> dict[str, str] | None:
    """The links that reach a stored number: `tel:` for a call, wa.me for WhatsApp (digits
    only, no "+"); None without a number."""
    if not e164:
        return None
    digits = "".join(c for c in e164 if c.isdigit())
    return {"number": e164, "tel": f"tel:{e164}", "whatsapp": f"https://wa.me/{digits}"}
