"""NIP (Nomor Induk Pegawai), the number of an Indonesian civil servant: 18 digits, written in
four groups "YYYYMMDD YYYYMM G NNN" (date of birth, month of appointment, 1 man / 2 woman, a
sequence), the way a signature block prints it."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def normalize_nip(raw: str) -> str:
    """`raw` in its four groups ("" stays ""); ValidationError unless it has 18 digits."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    digits = "".join(c for c in raw if c.isdigit())
    if len(digits) != 18 or any(c not in "0123456789 .-" for c in raw):
        raise ValidationError(
            _("%(value)s is not a NIP: write its 18 digits, e.g. 19750312 200003 1 004.")
            % {"value": raw[:40]}
        )
    return f"{digits[:8]} {digits[8:14]} {digits[14]} {digits[15:]}"
