"""Writing the audit log: `record` appends one entry inside the caller's transaction.

How entries are chained: `record` locks the one AuditHead row (SELECT ... FOR UPDATE), takes the
next id from it (head.last_id + 1) and the previous hash (head.last_hash), computes the entry's
hash over its content including that id, INSERTs the entry with the explicit id and moves the
head. Why the id comes from the head and not from the database's sequence:

- the hash must cover the id, and an id from the sequence is only known after the INSERT, which
  would need a second write (an UPDATE the append-only guard would have to let through);
- the head must be locked and updated anyway (it serialises appends on PostgreSQL and lets
  `verify_chain` notice that the newest entries were removed);
- ids come out gapless: a rolled-back transaction rolls back the head with its entry, so a gap in
  the ids always means a removed entry.

The lock is held until the caller's transaction ends, so audited writes queue up from the moment
they call `record` until they commit: call it last in the transaction, after the change itself.
On SQLite the lock is a no-op and not needed: Pantau opens SQLite transactions IMMEDIATE, so
writers already run one at a time.

Speed (issue 6, voting day): the append is plain SQL built once per process (`_append_fast`: lock
and read the head, then INSERT the entry and move the head, in one round trip on PostgreSQL),
not the ORM's query building, which cost more than the rest of the critical section. On
PostgreSQL the head's row lock is still held through the caller's COMMIT (its WAL flush), so
audited writes commit one after another: that, not the CPU, bounds audited writes per second
there. The ORM path (`_append`) remains for the first entry and a rebuilt head.
"""

import datetime as dt
import decimal
import hashlib
import json
import logging
import math
import uuid
from collections.abc import Iterable
from typing import NamedTuple

from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from pantau.audit.models import GENESIS_HASH, HASHED_FIELDS, AuditEntry, AuditHead

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
    # Everything that does not need the head (making the content JSON-safe, checking it) is
    # done above, before the lock: the critical section is the read of the head, one hash, the
    # INSERT and the head's UPDATE, in plain SQL, and then the caller's COMMIT.
    # savepoint=False: the entry is part of the caller's transaction, not a nested one. Called
    # outside a transaction, this opens one of its own.
    with transaction.atomic(savepoint=False):
        entry = _append_fast(actor=actor, **content)
        if entry is None:  # no head row yet (a fresh database, or someone deleted it)
            entry = _append(_locked_head(), actor=actor, **content)
    return entry


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


def canonical(value):
    """`value` as plain JSON types, the same before and after a trip through the database.

    Decimal, UUID, dates and times become strings (aware datetimes in UTC, ISO 8601), tuples and
    sets lists, model instances their primary key. A float with an integral value becomes an int:
    PostgreSQL's jsonb gives 1e20 back as an integer, and the hash must not change with it.
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return int(value) if value.is_integer() else value
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((canonical(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = value.astimezone(dt.UTC)
        return value.isoformat(timespec="microseconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return canonical(value.pk)
    return str(value)


def canonical_json(value) -> str:
    return json.dumps(
        canonical(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def entry_hash(values: dict) -> str:
    """sha256 (hex) of the canonical JSON of an entry's hashed fields (models.HASHED_FIELDS)."""
    payload = {name: values[name] for name in HASHED_FIELDS}
    return hashlib.sha256(canonical_json(payload).encode()).hexdigest()


def _append(head: AuditHead, *, actor, **content) -> AuditEntry:
    entry = AuditEntry(
        id=head.last_id + 1,
        # taken after the lock: times grow with the ids
        at=timezone.now(),
        actor=actor,
        actor_username=actor.get_username() if actor is not None else "",
        prev_hash=head.last_hash,
        **{**content, "before": canonical(content["before"]), "after": canonical(content["after"])},
    )
    entry.hash = entry_hash(entry.hashed_fields())
    entry.save()
    AuditHead.objects.filter(pk=head.pk).update(last_id=entry.id, last_hash=entry.hash)
    head.last_id, head.last_hash = entry.id, entry.hash
    return entry


def _append_fast(*, actor, **content) -> AuditEntry | None:
    """`_append` on the locked head in three plain SQL statements (two on PostgreSQL), without
    the ORM's query building; None when there is no head row (the caller takes the slow path,
    which creates it)."""
    connection = transaction.get_connection()
    sql = _sql(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql.lock_head)
        row = cursor.fetchone()
        if row is None:
            return None
        last_id, last_hash = row
        entry = AuditEntry(
            id=last_id + 1,
            at=timezone.now(),  # taken after the lock: times grow with the ids
            actor=actor,
            actor_username=actor.get_username() if actor is not None else "",
            prev_hash=last_hash,
            **content,
        )
        entry.hash = entry_hash(entry.hashed_fields())
        params = [
            field.get_db_prep_save(getattr(entry, field.attname), connection)
            for field in sql.fields
        ]
        if sql.insert_and_move:
            cursor.execute(sql.insert_and_move, [*params, entry.id, entry.hash])
        else:
            cursor.execute(sql.insert, params)
            cursor.execute(sql.move_head, [entry.id, entry.hash])
    entry._state.adding = False
    entry._state.db = connection.alias
    return entry


class _Sql(NamedTuple):
    fields: list
    lock_head: str
    insert: str
    move_head: str
    insert_and_move: str  # one round trip where the database can (PostgreSQL)


_SQL_BY_VENDOR: dict[str, _Sql] = {}


def _sql(connection) -> _Sql:
    """The statements of `_append_fast` for this database, built once per process."""
    cached = _SQL_BY_VENDOR.get(connection.vendor)
    if cached is not None:
        return cached
    qn = connection.ops.quote_name
    opts, head_opts = AuditEntry._meta, AuditHead._meta
    fields = [f for f in opts.concrete_fields]
    head_table = qn(head_opts.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    insert = "INSERT INTO {} ({}) VALUES ({})".format(
        qn(opts.db_table),
        ", ".join(qn(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    move = "UPDATE {} SET {} = %s, {} = %s WHERE {} = 1".format(
        head_table,
        qn(head_opts.get_field("last_id").column),
        qn(head_opts.get_field("last_hash").column),
        qn(head_opts.pk.column),
    )
    both = ""
    if connection.vendor == "postgresql":
        both = f"WITH appended AS ({insert}) {move}"
    built = _Sql(
        fields=fields,
        lock_head="SELECT {}, {} FROM {} WHERE {} = 1{}".format(
            qn(head_opts.get_field("last_id").column),
            qn(head_opts.get_field("last_hash").column),
            head_table,
            qn(head_opts.pk.column),
            lock,
        ),
        insert=insert,
        move_head=move,
        insert_and_move=both,
    )
    _SQL_BY_VENDOR[connection.vendor] = built
    return built


def _locked_head() -> AuditHead:
    """The head row, locked until the transaction ends; created with the first entry."""
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    last = AuditEntry.objects.order_by("-id").values_list("id", "hash").first()
    try:
        with transaction.atomic():
            head = AuditHead.objects.create(
                pk=1,
                last_id=last[0] if last else 0,
                last_hash=last[1] if last else GENESIS_HASH,
            )
    except IntegrityError:
        # Another transaction created it first (PostgreSQL: we waited for its commit).
        return AuditHead.objects.select_for_update().get(pk=1)
    if last:
        # Entries without a head: someone deleted the head row. Carry on from the last entry
        # (refusing would stop every audited write) but leave the fact in the chain itself.
        logger.error("The audit chain head was missing; rebuilt from entry #%s", last[0])
        _append(
            head,
            actor=None,
            action="audit.head_rebuilt",
            object_type="auditentry",
            object_id=str(last[0]),
            region_code="",
            before=None,
            after=None,
            note="The chain head was missing and was rebuilt from the last entry.",
        )
    return head


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
