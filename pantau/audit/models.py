"""The hash-chained, append-only audit log.

Every chained entry carries its position in the chain (`seq`), the sha256 of the entry before it
(`prev_hash`) and its own `hash` over its content and that link, so that a row altered or removed
directly in the database breaks the chain (`pantau verifyaudit`, verify.py). Entries are written
by `pantau.audit.log.record` inside the caller's transaction without a position or hash (the
queue), and chained shortly after by the sequencer (`pantau.audit.sequencer`); see
docs/audit.md.
"""

from typing import NamedTuple

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

GENESIS_HASH = "0" * 64


class AppendOnlyError(RuntimeError):
    """An attempt to change or delete audit entries through the ORM."""


class AuditEntryQuerySet(models.QuerySet):
    """Refuses every bulk change: the log only grows, and only through `record`."""

    def update(self, **kwargs):
        # The one update allowed: Django's SET_NULL when an acting user is deleted. `actor` is not
        # part of the hash (actor_username is, and stays), so the chain is unaffected.
        if set(kwargs) <= {"actor", "actor_id"} and all(v is None for v in kwargs.values()):
            return super().update(**kwargs)
        raise AppendOnlyError("Audit entries cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Audit entries cannot be deleted.")

    def _raw_delete(self, using):
        raise AppendOnlyError("Audit entries cannot be deleted.")

    def bulk_create(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries are appended one by one with audit.log.record.")

    def bulk_update(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries cannot be changed.")


class AuditEntry(models.Model):
    """Who did what, when, to which object, with the values before and after."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("time"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept when the user is deleted; "" for the system (a scheduled job, a loader run by a command).
    actor_username = models.CharField(_("username"), max_length=150, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    region_code = models.CharField(_("region code"), max_length=32, blank=True, db_index=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # Set by the sequencer when it chains the entry; NULL / "" while the entry waits in the queue.
    seq = models.BigIntegerField(_("chain position"), null=True, blank=True, unique=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64, blank=True, default="")
    hash = models.CharField(_("hash"), max_length=64, blank=True, default="")

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["at"], name="audit_at_idx"),
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            # The queue: what the sequencer reads, in id order.
            models.Index(
                fields=["id"], condition=models.Q(seq__isnull=True), name="audit_unchained_idx"
            ),
        ]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"#{self.pk} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Audit entries cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries cannot be deleted.")

    def hashed_fields(self) -> dict:
        """The content the hash covers (see log.entry_hash)."""
        return {name: getattr(self, name) for name in HASHED_FIELDS}

    def changes(self) -> list["Change"]:
        """The keys of before/after whose value differs, in key order (for display)."""
        before = self.before if isinstance(self.before, dict) else {}
        after = self.after if isinstance(self.after, dict) else {}
        return [
            Change(key, before.get(key), after.get(key), key in before, key in after)
            for key in sorted(set(before) | set(after))
            if (key in before, before.get(key)) != (key in after, after.get(key))
        ]


class Change(NamedTuple):
    key: str
    old: object
    new: object
    has_old: bool
    has_new: bool


# What the hash covers, in this order of names (the JSON is canonical, so order does not matter
# for the digest; the list only documents it). `actor` (the foreign key) is left out on purpose:
# it turns NULL when the user is deleted, while actor_username keeps who it was. `seq` is left
# out too: the order is fixed by the links (prev_hash), and seq only indexes it.
HASHED_FIELDS = (
    "id",
    "at",
    "actor_username",
    "action",
    "object_type",
    "object_id",
    "region_code",
    "before",
    "after",
    "note",
    "prev_hash",
)


class AuditHead(models.Model):
    """One row: the position and hash of the last chained entry.

    Only the sequencer locks it (SELECT ... FOR UPDATE), once per batch, to serialise
    sequencers on PostgreSQL; `verify_chain` compares it with the last chained entry, which is
    how removing the newest entries is detected. Requests never touch it.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_head_single")]
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.last_seq} {self.last_hash[:12]}"
