import pytest
from django.db import IntegrityError, transaction

from pantau.audit.log import record
from pantau.audit.models import AppendOnlyError, AuditEntry
from pantau.audit.verify import verify_chain

pytestmark = pytest.mark.django_db


def test_the_orm_refuses_to_change_an_entry(chain):
    entry = AuditEntry.objects.get(pk=chain[2].pk)
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(note="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(actor_id=None, note="rewritten")
    entry.note = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.bulk_update([entry], ["note"])
    assert AuditEntry.objects.get(pk=entry.pk).note == "step 2"


def test_the_orm_refuses_to_delete_entries(chain):
    total = AuditEntry.objects.count()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.get(pk=chain[-1].pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(action="test.step").delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.count() == total
    assert verify_chain().ok


def test_an_entry_cannot_be_overwritten_by_saving_a_new_one_with_its_id(chain):
    impostor = AuditEntry(id=chain[1].id, action="test.impostor", prev_hash="0", hash="0")
    with pytest.raises(IntegrityError), transaction.atomic():
        impostor.save()
    assert AuditEntry.objects.get(pk=chain[1].id).action == "test.step"


def test_entries_are_only_appended_one_by_one(db):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.bulk_create([AuditEntry(action="test.bulk")])
    with transaction.atomic():
        record(actor=None, action="test.single")
    assert verify_chain().ok
