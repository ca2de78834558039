"""The audit log's canonical JSON and entry hash, shared by the writer, the sequencer and the
verifier."""

import datetime as dt
import decimal
import hashlib
import json
import math
import uuid

from django.db import models
from django.utils import timezone

from pantau.audit.models import HASHED_FIELDS


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
