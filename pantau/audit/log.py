"""Writing the audit log: `record` queues one entry inside the caller's transaction.

The entry is an INSERT of its content (the id from the database's sequence) and nothing else: no
lock, no read of the chain head. Its chain position, previous hash and hash are set shortly
after the caller's transaction commits, by the sequencer (`pantau.audit.sequencer`), which
chains every queued entry in id order, in batches, under the one lock of the chain head. So
audited writes no longer queue up behind each other on the head row (PostgreSQL) or for the
length of the hash chain's critical section (SQLite); see docs/audit.md for the guarantee.

A rolled-back transaction rolls its queued entry back with it. An entry is visible (the audit
page, the object's history) as soon as its transaction commits, chained or not.
"""

import logging
from collections.abc import Iterable

from django.core.exceptions import FieldDoesNotExist
from django.db import transaction

from pantau.audit import sequencer
from pantau.audit.hashing import canonical, canonical_json, entry_hash
from pantau.audit.models import AuditEntry
from pantau.lib.inserts import insert

__all__ = ["canonical", "canonical_json", "entry_hash", "record", "region_code_of", "snapshot"]

logger = logging.getLogger(__name__)

HIDDEN = "(hidden)"  # what snapshot() writes for a secret field, e.g. a password hash
SECRET_FIELDS = frozenset({"password"})


def record(
    *,
    actor,
    action: str,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    region_code: str = "",
    before: dict | None = None,
    after: dict | None = None,
    note: str = "",
) -> AuditEntry:
    """Append one entry. Call inside the caller's transaction (it commits or rolls back with it).

    `actor` is the acting user, or None for the system. With `obj`, the object type, id and
    region code are taken from it unless given. `before` and `after` are made JSON-safe (see
    `canonical`); use `snapshot` to build them from a model instance.
    """
    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or ("" if obj.pk is None else str(obj.pk))
        region_code = region_code or region_code_of(obj)
    object_id = str(object_id)
    if actor is not None and not getattr(actor, "pk", None):
        actor = None  # an anonymous user acts as nobody in particular
    _check_lengths(
        action=action, object_type=object_type, object_id=object_id, region_code=region_code
    )
    content = {
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "region_code": region_code,
        "before": canonical(before),
        "after": canonical(after),
        "note": note,
    }
    entry = AuditEntry(
        actor=actor,
        actor_username=actor.get_username() if actor is not None else "",
        **content,
    )
    # savepoint=False: the entry is part of the caller's transaction, not a nested one. Called
    # outside a transaction, this opens one of its own.
    with transaction.atomic(savepoint=False):
        insert(entry)
        _wake_on_commit()
    return entry


def _wake_on_commit() -> None:
    """After the commit, wake this process's sequencer (or chain right away where none runs):
    once per transaction, however many entries it queues (a loader writes thousands)."""
    connection = transaction.get_connection()
    # Django replaces this list at each commit and rollback (of a savepoint too, when that drops
    # hooks): the same list means this transaction has asked already.
    hooks = connection.run_on_commit
    if getattr(connection, "_audit_wake_hooks", None) is hooks:
        return
    connection._audit_wake_hooks = hooks
    transaction.on_commit(sequencer.wake)


def snapshot(obj, fields: Iterable[str]) -> dict:
    """The JSON-safe values of `fields` of a model instance, for `before` and `after`.

    A foreign key gives the related object's primary key, a many-to-many field the sorted list of
    primary keys, any other name the attribute's value. Secret fields (a password hash) are
    replaced by "(hidden)".
    """
    values = {}
    for name in fields:
        field = _model_field(obj, name)
        if name in SECRET_FIELDS:
            value = HIDDEN
        elif field is not None and field.many_to_many:
            value = sorted(getattr(obj, name).values_list("pk", flat=True)) if obj.pk else []
        elif field is not None and field.is_relation and field.concrete:
            value = getattr(obj, field.attname)
        else:
            value = getattr(obj, name)
        values[name] = value
    return canonical(values)


def region_code_of(obj) -> str:
    """The region an object belongs to: a region itself, or its `region` (or `kecamatan`)."""
    opts = obj._meta
    if opts.label == "regions.Region":
        return obj.code or ""
    for name in ("region", "kecamatan"):
        field = _model_field(obj, name)
        if (
            field is not None
            and field.many_to_one
            and field.related_model._meta.label == "regions.Region"
            and getattr(obj, field.attname) is not None
        ):
            return getattr(obj, name).code
    return ""


def _check_lengths(**values: str) -> None:
    """Fail the same way on SQLite (which would store any length) as on PostgreSQL."""
    if not values["action"]:
        raise ValueError("An audit entry needs an action.")
    for name, value in values.items():
        limit = AuditEntry._meta.get_field(name).max_length
        if len(value) > limit:
            raise ValueError(f"Audit {name} is longer than {limit} characters: {value!r}")


def _model_field(obj, name: str):
    try:
        return obj._meta.get_field(name)
    except FieldDoesNotExist:  # a plain attribute
        return None
