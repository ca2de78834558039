"""Checking the audit chain: which entry, if any, was altered or removed in the database."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Subquery
from django.utils.translation import gettext as _

from pantau.audit.log import entry_hash
from pantau.audit.models import GENESIS_HASH, HASHED_FIELDS, AuditEntry, AuditHead

FIELDS = (*HASHED_FIELDS, "hash")


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_bad_id: int | None = None
    reason: str = ""


def verify_chain(
    batch_size: int = 5000, progress: Callable[[int], None] | None = None
) -> VerifyResult:
    """Recompute every hash and link in id order, in batches (constant memory).

    Stops at the first problem: an entry whose content does not match its hash (altered), an
    entry that does not link to the one before it (entries removed, or one rewritten together
    with its hash), or a last entry that is not the one the chain head records (the newest
    entries removed). Entries appended while this runs are left for the next run: the check
    covers the chain up to the head read at the start. `progress(checked)` is called after each
    batch.
    """
    head = AuditHead.objects.filter(pk=1).values_list("last_id", "last_hash").first()
    rows = AuditEntry.objects.order_by("id").values_list(*FIELDS)
    if head is not None:
        rows = rows.filter(id__lte=head[0])
    checked, prev_id, prev_hash = 0, None, GENESIS_HASH
    while True:
        batch = list(rows.filter(id__gt=prev_id or 0)[:batch_size])
        if not batch:
            break
        for values in batch:
            entry = dict(zip(FIELDS, values, strict=True))
            checked += 1
            if entry_hash(entry) != entry["hash"]:
                return VerifyResult(
                    False,
                    checked,
                    entry["id"],
                    _("the entry was altered: its content does not match its hash"),
                )
            if entry["prev_hash"] != prev_hash:
                return VerifyResult(False, checked, entry["id"], _broken_link(entry["id"], prev_id))
            prev_id, prev_hash = entry["id"], entry["hash"]
        if progress is not None:
            progress(checked)
    last_id = prev_id or 0
    if head is None:
        if checked:
            return VerifyResult(
                False, checked, None, _("the chain head is missing: its row was deleted")
            )
        return VerifyResult(True, 0)
    head_id, head_hash = head
    if head_id > last_id:
        return VerifyResult(
            False,
            checked,
            last_id + 1,
            _("the newest entries, #%(first)d to #%(last)d, were removed")
            % {"first": last_id + 1, "last": head_id},
        )
    if head_hash != prev_hash:
        return VerifyResult(
            False,
            checked,
            last_id,
            _("the newest entry was rewritten with a new hash: the chain head records another"),
        )
    # In one statement, so that an append committing meanwhile (entry and head together) cannot
    # look like an entry inserted past the head.
    stray = (
        AuditEntry.objects.filter(id__gt=Subquery(AuditHead.objects.filter(pk=1).values("last_id")))
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    if stray is not None:
        return VerifyResult(
            False,
            checked,
            stray,
            _("the entry was inserted directly in the database, not through the audit log"),
        )
    return VerifyResult(True, checked)


def _broken_link(entry_id: int, prev_id: int | None) -> str:
    first_missing = (prev_id or 0) + 1
    if entry_id - 1 == first_missing:
        return _("the entry before it, #%(id)d, was removed") % {"id": first_missing}
    if entry_id - 1 > first_missing:
        return _("the entries before it, #%(first)d to #%(last)d, were removed") % {
            "first": first_missing,
            "last": entry_id - 1,
        }
    if prev_id is None:
        return _("it does not start the chain: its link was rewritten")
    return _("it does not link to entry #%(id)d: one of the two was rewritten with a new hash") % {
        "id": prev_id
    }
