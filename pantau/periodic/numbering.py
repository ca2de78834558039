"""The letter number of a periodic report (nomor surat): the operation's pattern (the instruction
file's `letter.number`, e.g. "000.1.5/{seq}/426.102/{year}") filled with a yearly sequence.

The sequence is taken in the transaction that creates the report, under a row lock on the year's
`NumberSequence`: two requests at once get two consecutive numbers, and a request that rolls back
gives its number back, so the register has no gap."""

import datetime as dt
import re

from pantau.periodic.models import NumberSequence, Scope

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]
SCOPE_CODES = {Scope.KABUPATEN: "kab", Scope.CLUSTER: "klaster", Scope.KECAMATAN: "kec"}
DEFAULT_PATTERN = "{seq}/{year}"
PENDING = "…"  # the sequence of a letter that is not registered (a command-line preview)


def format_number(pattern: str, *, seq, day: dt.date, scope: str) -> str:
    return (pattern or DEFAULT_PATTERN).format(
        seq=seq,
        year=day.year,
        month=f"{day.month:02d}",
        roman_month=ROMAN[day.month - 1],
        scope=SCOPE_CODES.get(scope, scope),
    )


def preview_number(pattern: str, *, day: dt.date, scope: str) -> str:
    """The number with its sequence left open (a report that is not stored)."""
    open_seq = re.sub(r"\{seq(:[^}]*)?\}", "{seq}", pattern or DEFAULT_PATTERN)
    return format_number(open_seq, seq=PENDING, day=day, scope=scope)


def take_number(*, day: dt.date) -> tuple[int, int]:
    """The next (year, sequence) of `day`'s year. Call inside transaction.atomic()."""
    NumberSequence.objects.bulk_create([NumberSequence(year=day.year)], ignore_conflicts=True)
    row = NumberSequence.objects.select_for_update().get(year=day.year)
    row.last += 1
    row.save(update_fields=["last"])
    return day.year, row.last
