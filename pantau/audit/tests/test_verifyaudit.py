import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from pantau.audit.log import entry_hash, record
from pantau.audit.management.commands import verifyaudit
from pantau.audit.models import AuditEntry
from pantau.audit.tests.conftest import chained, raw_sql
from pantau.audit.verify import verify_chain

pytestmark = pytest.mark.django_db


def run_verifyaudit(*args) -> str:
    out = io.StringIO()
    call_command("verifyaudit", *args, stdout=out)
    return out.getvalue()


def test_it_reports_an_intact_chain_with_its_length(chain):
    total = AuditEntry.objects.count()
    assert total >= 5
    assert f": {total} " in run_verifyaudit()


@pytest.mark.parametrize(
    "sql, params",
    [
        ("UPDATE {entry} SET note = %s WHERE id = %s", ["step 2, quietly edited"]),
        ("UPDATE {entry} SET after = %s WHERE id = %s", [json.dumps({"n": 2, "label": "x"})]),
        ("UPDATE {entry} SET action = %s WHERE id = %s", ["test.other"]),
        ("UPDATE {entry} SET actor_username = %s WHERE id = %s", ["admin"]),
        ("UPDATE {entry} SET prev_hash = %s WHERE id = %s", ["f" * 64]),
    ],
    ids=["note", "after", "action", "actor", "prev_hash"],
)
def test_it_names_an_entry_altered_in_the_database(chain, sql, params):
    target = chain[2]
    raw_sql(sql, [*params, target.id])
    result = verify_chain(batch_size=2)
    assert not result.ok
    assert result.first_bad_id == target.id
    assert result.checked == target.seq
    with pytest.raises(CommandError) as failure:
        run_verifyaudit()
    message = str(failure.value)
    assert f"#{target.id} " in message
    assert AuditEntry.objects.get(pk=target.id).action in message


def test_it_names_the_entry_after_one_that_was_removed(chain):
    removed = chain[2]
    raw_sql("DELETE FROM {entry} WHERE id = %s", [removed.id])
    result = verify_chain()
    assert not result.ok
    assert result.first_bad_id == chain[3].id
    assert f"#{removed.seq} " in result.reason
    with pytest.raises(CommandError) as failure:
        run_verifyaudit()
    assert f"#{chain[3].id} " in str(failure.value) and "test.step" in str(failure.value)


def test_it_notices_that_the_newest_entries_were_removed(chain):
    raw_sql("DELETE FROM {entry} WHERE id >= %s", [chain[3].id])
    result = verify_chain()
    assert not result.ok
    assert f"#{chain[3].seq} " in result.reason and f"#{chain[4].seq} " in result.reason
    with pytest.raises(CommandError) as failure:
        run_verifyaudit()
    assert f"#{chain[3].seq} " in str(failure.value)


def test_a_removed_entry_is_named_while_newer_ones_wait_in_the_queue(chain):
    with transaction.atomic():
        record(actor=None, action="test.waiting")
    raw_sql("DELETE FROM {entry} WHERE id = %s", [chain[1].id])
    result = verify_chain()
    assert not result.ok and result.first_bad_id == chain[2].id and result.queued == 1
    with pytest.raises(CommandError) as failure:
        run_verifyaudit()
    assert f"#{chain[2].id} " in str(failure.value)


def test_the_queued_tail_is_reported_apart_from_the_chain(chain):
    with transaction.atomic():
        record(actor=None, action="test.waiting")
        record(actor=None, action="test.waiting")
    out = run_verifyaudit()
    assert "2 " in out.splitlines()[0] and f": {chain[-1].seq} " in out.splitlines()[-1]


def test_it_notices_an_entry_rewritten_with_a_recomputed_hash(chain):
    target = AuditEntry.objects.get(pk=chain[1].id)
    values = {**target.hashed_fields(), "note": "nothing happened here"}
    raw_sql(
        "UPDATE {entry} SET note = %s, hash = %s WHERE id = %s",
        [values["note"], entry_hash(values), target.id],
    )
    result = verify_chain()
    assert not result.ok
    # the rewritten entry matches its own hash; the next one no longer links to it
    assert result.first_bad_id == chain[2].id
    assert f"#{target.id}" in result.reason


def test_it_notices_the_newest_entry_rewritten_with_a_recomputed_hash(chain):
    target = AuditEntry.objects.get(pk=chain[-1].id)
    values = {**target.hashed_fields(), "note": "nothing happened here"}
    raw_sql(
        "UPDATE {entry} SET note = %s, hash = %s WHERE id = %s",
        [values["note"], entry_hash(values), target.id],
    )
    result = verify_chain()
    assert not result.ok and result.first_bad_id == target.id


def test_it_notices_an_entry_added_without_record(chain):
    last = chain[-1]
    stray = AuditEntry(at=last.at, action="test.stray", seq=last.seq + 1, prev_hash=last.hash)
    stray.save()
    stray.hash = entry_hash(stray.hashed_fields())
    raw_sql("UPDATE {entry} SET hash = %s WHERE id = %s", [stray.hash, stray.id])
    # an INSERT that went around record() and the sequencer: the chain head does not know it
    result = verify_chain()
    assert not result.ok and result.first_bad_id == stray.id


def test_a_deleted_head_is_reported_and_then_rebuilt_in_the_open(chain):
    raw_sql("DELETE FROM {head}")
    result = verify_chain()
    assert not result.ok and result.first_bad_id is None and result.reason
    with pytest.raises(CommandError):
        run_verifyaudit()
    with transaction.atomic():
        entry = record(actor=None, action="test.after_head_loss")
    entry = chained(entry)
    rebuilt = AuditEntry.objects.get(action="audit.head_rebuilt")
    assert rebuilt.object_id == str(chain[-1].id)
    assert rebuilt.prev_hash == chain[-1].hash and entry.prev_hash == rebuilt.hash
    assert verify_chain().ok


def test_it_shows_progress_on_a_long_chain(chain, monkeypatch):
    monkeypatch.setattr(verifyaudit, "PROGRESS_EVERY", 2)
    total = AuditEntry.objects.count()
    lines = run_verifyaudit("--batch-size", "1").splitlines()
    progress = [line for line in lines if "..." in line]
    assert progress[0].startswith("2 ") and len(progress) == total // 2
    assert f": {total} " in lines[-1]
    seen = []
    assert verify_chain(batch_size=2, progress=seen.append).ok
    assert seen == [*range(2, total + 1, 2), *([total] if total % 2 else [])]
