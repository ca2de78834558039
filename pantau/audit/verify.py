"""Checking the audit chain: which entry, if any, was altered or removed in the database."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Subquery
from django.utils.translation import gettext as _

from pantau.audit.hashing import entry_hash
from pantau.audit.models import GENESIS_HASH, HASHED_FIELDS, AuditEntry, AuditHead
from pantau.audit.sequencer import queued

FIELDS = (*HASHED_FIELDS, "seq", "hash")


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int  # chained entries checked
    first_bad_id: int | None = None
    reason: str = ""
    queued: int = 0  # entries not chained yet (written, waiting for the sequencer)
    oldest_queued_at: dt.datetime | None = None


def verify_chain(
    batch_size: int = 5000, progress: Callable[[int], None] | None = None
) -> VerifyResult:
    """Recompute every hash and link in chain order, in batches (constant memory).

    Stops at the first problem: an entry whose content does not match its hash (altered), a gap
    in the chain positions (entries removed), an entry that does not link to the one before it
    (one rewritten together with its hash), or a last entry that is not the one the chain head
    records (the newest entries removed). Entries chained while this runs are left for the next
    run: the check covers the chain up to the head read at the start. The entries still queued
    (not chained yet) are counted apart, in `queued`. `progress(checked)` is called after each
    batch.
    """
    head = AuditHead.objects.filter(pk=1).values_list("last_seq", "last_hash").first()
    waiting, oldest = queued()
    rows = AuditEntry.objects.filter(seq__isnull=False).order_by("seq").values_list(*FIELDS)
    if head is not None:
        rows = rows.filter(seq__lte=head[0])

    def result(ok, first_bad_id=None, reason=""):
        return VerifyResult(ok, checked, first_bad_id, reason, waiting, oldest)

    checked, prev_seq, prev_id, prev_hash = 0, 0, None, GENESIS_HASH
    while True:
        batch = list(rows.filter(seq__gt=prev_seq)[:batch_size])
        if not batch:
            break
        for values in batch:
            entry = dict(zip(FIELDS, values, strict=True))
            checked += 1
            if entry_hash(entry) != entry["hash"]:
                return result(
                    False,
                    entry["id"],
                    _("the entry was altered: its content does not match its hash"),
                )
            if entry["seq"] != prev_seq + 1:
                return result(False, entry["id"], _removed_before(entry["seq"], prev_seq))
            if entry["prev_hash"] != prev_hash:
                return result(False, entry["id"], _broken_link(prev_id))
            prev_seq, prev_id, prev_hash = entry["seq"], entry["id"], entry["hash"]
        if progress is not None:
            progress(checked)
    if head is None:
        if checked:
            return result(False, None, _("the chain head is missing: its row was deleted"))
        return result(True)
    head_seq, head_hash = head
    if head_seq > prev_seq:
        return result(
            False,
            None,
            _("the newest entries, at positions #%(first)d to #%(last)d of the chain, were removed")
            % {"first": prev_seq + 1, "last": head_seq},
        )
    if head_hash != prev_hash:
        return result(
            False,
            prev_id,
            _("the newest entry was rewritten with a new hash: the chain head records another"),
        )
    # In one statement, so that a batch committing meanwhile (entries and head together) cannot
    # look like an entry chained past the head.
    stray = (
        AuditEntry.objects.filter(
            seq__gt=Subquery(AuditHead.objects.filter(pk=1).values("last_seq"))
        )
        .order_by("seq")
        .values_list("id", flat=True)
        .first()
    )
    if stray is not None:
        return result(
            False,
            stray,
            _("the entry was inserted directly in the database, not through the audit log"),
        )
    return result(True)


def _removed_before(seq: int, prev_seq: int) -> str:
    if seq - 1 == prev_seq + 1:
        return _("the entry before it, at position #%(pos)d of the chain, was removed") % {
            "pos": prev_seq + 1
        }
    return _(
        "the entries before it, at positions #%(first)d to #%(last)d of the chain, were removed"
    ) % {
        "first": prev_seq + 1,
        "last": seq - 1,
    }


def _broken_link(prev_id: int | None) -> str:
    if prev_id is None:
        return _("it does not start the chain: its link was rewritten")
    return _("it does not link to entry #%(id)d: one of the two was rewritten with a new hash") % {
        "id": prev_id
    }
