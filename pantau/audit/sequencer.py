"""The sequencer: chains the queued audit entries, in id order, in batches.

`record` INSERTs an entry without a chain position (`seq` NULL) in the caller's transaction
and, once that commits, calls `wake`. The sequencer then, in one short transaction of its own:
locks the chain head (SELECT ... FOR UPDATE; on SQLite the IMMEDIATE transaction's write lock),
reads the queued entries in id order, gives each the next position, the previous entry's hash
and its own hash, and moves the head. A batch is all or nothing: killed in the middle (SIGKILL,
a power cut), its transaction rolls back and the entries are still queued for the next run, so no
entry is lost, and an entry once chained is never moved (only queued entries, `seq IS NULL`, are
ever written, and only by this). Several sequencers (one per web worker, the task consumer, a
command) may run at once on one database: the head's lock makes them take turns, and each
batch reads the queue after the previous batch committed.

Where it runs: a thread in every web worker (`start_thread`, from pantau/wsgi.py), woken by the
commits of its own process and polling the queue every POLL_SECONDS for entries of processes
that died before chaining theirs; elsewhere (commands, the task consumer, tests' live servers)
`wake` chains right away, after the commit, in the caller's thread. A periodic task
(audit/tasks.py) chains whatever is left once a minute even when no web worker runs.
"""

import atexit
import logging
import os
import threading
import time

from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from pantau.audit.hashing import canonical, entry_hash
from pantau.audit.models import GENESIS_HASH, HASHED_FIELDS, AuditEntry, AuditHead
from pantau.lib.selects import Select

logger = logging.getLogger(__name__)

BATCH = 500  # entries per transaction
GATHER_SECONDS = 0.1  # after a wake, wait this long so that a burst is chained as one batch
POLL_SECONDS = 1.0  # the thread looks at the queue at least this often

_READ = [name for name in HASHED_FIELDS if name != "prev_hash"]

# The questions asked after every burst, by every worker: compiled once per connection.
_any_queued = Select(lambda: AuditEntry.objects.filter(seq__isnull=True).values_list("id")[:1])
_head = Select(lambda: AuditHead.objects.filter(pk=1).values_list("last_seq", "last_hash"))
_locked = Select(
    lambda: AuditHead.objects.select_for_update().filter(pk=1).values_list("last_seq", "last_hash")
)
_batches: dict[int, Select] = {}


def _next_entries(limit: int) -> list[tuple]:
    if limit not in _batches:
        _batches[limit] = Select(
            lambda: (
                AuditEntry.objects.filter(seq__isnull=True)
                .order_by("id")
                .values_list(*_READ)[:limit]
            )
        )
    return _batches[limit]()


def chain_queued(batch_size: int = BATCH) -> int:
    """Chain every queued entry (in batches of `batch_size`); the number chained."""
    total = 0
    while _any_queued() or not _head():
        done = _chain_batch(batch_size)
        total += done
        if done < batch_size:
            break
    return total


def _chain_batch(limit: int) -> int:
    with transaction.atomic():
        last_seq, last_hash = _locked_head()
        rows = _next_entries(limit)
        if not rows:
            with connection.cursor() as cursor:  # a rebuilt head moves to the rebuilt entry
                cursor.execute(_sql().move_head, [last_seq, last_hash])
            return 0
        updates = []
        for values in rows:
            entry = dict(zip(_READ, values, strict=True))
            entry["before"], entry["after"] = canonical(entry["before"]), canonical(entry["after"])
            entry["prev_hash"] = last_hash
            last_seq, last_hash = last_seq + 1, entry_hash(entry)
            updates.append((last_seq, entry["prev_hash"], last_hash, entry["id"]))
        sql = _sql()
        with connection.cursor() as cursor:
            cursor.executemany(sql.chain, updates)
            cursor.execute(sql.move_head, [last_seq, last_hash])
        return len(rows)


class _Sql:
    def __init__(self):
        qn = connection.ops.quote_name
        entries, head = qn(AuditEntry._meta.db_table), qn(AuditHead._meta.db_table)
        # Plain SQL: the model refuses updates (append-only); this is the one writer of the
        # three chain columns, and only of entries still queued.
        self.chain = (
            f"UPDATE {entries} SET {qn('seq')} = %s, {qn('prev_hash')} = %s, {qn('hash')} = %s "
            f"WHERE {qn('id')} = %s AND {qn('seq')} IS NULL"
        )
        self.move_head = (
            f"UPDATE {head} SET {qn('last_seq')} = %s, {qn('last_hash')} = %s WHERE {qn('id')} = 1"
        )


_SQL: dict[str, _Sql] = {}


def _sql() -> _Sql:
    if connection.vendor not in _SQL:
        _SQL[connection.vendor] = _Sql()
    return _SQL[connection.vendor]


def _locked_head() -> tuple[int, str]:
    """The head's position and hash, locked until the batch commits; created when missing."""
    found = _locked()
    if found:
        return found[0]
    last = (
        AuditEntry.objects.filter(seq__isnull=False)
        .order_by("-seq")
        .values_list("seq", "hash", "id")
        .first()
    )
    # A concurrent sequencer creating it too fails here with an IntegrityError: its batch rolls
    # back and runs again later, on the head this one made.
    AuditHead.objects.create(
        pk=1, last_seq=last[0] if last else 0, last_hash=last[1] if last else GENESIS_HASH
    )  # moved by the batch (or stays at the rebuilt entry when the queue is empty)
    if last is None:
        return 0, GENESIS_HASH
    # Entries without a head: someone deleted the head row. Carry on from the last chained
    # entry (refusing would stop the chain) but leave the fact in the chain itself, chained
    # first, before the queue.
    logger.error("The audit chain head was missing; rebuilt from entry #%s", last[2])
    rebuilt = AuditEntry(
        action="audit.head_rebuilt",
        object_type="auditentry",
        object_id=str(last[2]),
        note="The chain head was missing and was rebuilt from the last chained entry.",
        prev_hash=last[1],
    )
    rebuilt.save()
    rebuilt.refresh_from_db()  # the time as the database gives it back
    rebuilt_hash = entry_hash(rebuilt.hashed_fields())
    with connection.cursor() as cursor:
        cursor.execute(_sql().chain, [last[0] + 1, last[1], rebuilt_hash, rebuilt.pk])
    return last[0] + 1, rebuilt_hash


# --- where it runs ---------------------------------------------------------------------------

_state = threading.local()
_thread_lock = threading.Lock()
_thread: dict = {"pid": None, "event": None}


def wake() -> None:
    """An entry was committed: chain it soon (the thread) or now (no thread in this process)."""
    if _thread["pid"] == os.getpid():
        _thread["event"].set()
        return
    if getattr(_state, "busy", False):
        return  # an entry recorded by an on-commit hook of our own batch
    _state.busy = True
    try:
        chain_queued()
    except Exception:
        # The caller's write is committed and its entry queued: a later run chains it.
        logger.exception("Chaining the audit queue failed; it is retried later")
    finally:
        _state.busy = False


def start_thread() -> None:
    """Run the sequencer in a daemon thread of this process (idempotent, once per fork)."""
    with _thread_lock:
        if _thread["pid"] == os.getpid():
            return
        event = threading.Event()
        _thread.update(pid=os.getpid(), event=event)
        threading.Thread(target=_run, args=(event,), name="audit-sequencer", daemon=True).start()
        atexit.register(_last_run)


def _run(event: threading.Event) -> None:
    while True:
        woken = event.wait(POLL_SECONDS)
        if woken:
            time.sleep(GATHER_SECONDS)
        event.clear()
        try:
            chain_queued()
        except Exception:
            logger.exception("Chaining the audit queue failed; retrying")
            close_old_connections()
            time.sleep(POLL_SECONDS)


def _last_run() -> None:
    """At a clean exit (a worker stopped or recycled), chain what this process queued."""
    try:
        chain_queued()
    except Exception:
        logger.exception("Chaining the audit queue at exit failed; another process will")


def queued() -> tuple[int, object]:
    """How many entries wait to be chained, and the time of the oldest (None when none)."""
    rows = AuditEntry.objects.filter(seq__isnull=True)
    oldest = rows.order_by("id").values_list("at", flat=True).first()
    return rows.count(), oldest


def age_seconds(at) -> float:
    return max(0.0, (timezone.now() - at).total_seconds())
