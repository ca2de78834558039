import datetime as dt
import decimal
import uuid
import zoneinfo

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from pantau.audit.log import entry_hash, record, snapshot
from pantau.audit.models import GENESIS_HASH, AuditEntry, AuditHead
from pantau.audit.sequencer import chain_queued
from pantau.audit.tests.conftest import chained
from pantau.audit.verify import verify_chain
from pantau.instruction.models import Position
from pantau.regions.models import Region

pytestmark = pytest.mark.django_db
WIB = zoneinfo.ZoneInfo("Asia/Jakarta")


def test_it_links_each_entry_to_the_one_before(chain):
    first = AuditEntry.objects.order_by("seq").first()
    assert first.seq == 1 and first.prev_hash == GENESIS_HASH
    for before, entry in zip(chain, chain[1:], strict=False):
        assert entry.seq == before.seq + 1
        assert entry.prev_hash == before.hash
        assert len(entry.hash) == 64 and entry.hash != before.hash
    head = AuditHead.objects.get()
    assert (head.last_seq, head.last_hash) == (chain[-1].seq, chain[-1].hash)
    result = verify_chain(batch_size=2)
    assert result.ok and result.first_bad_id is None and result.queued == 0
    assert result.checked == AuditEntry.objects.count() == chain[-1].seq


def test_an_entry_is_queued_in_the_transaction_and_chained_after_it(chain):
    with transaction.atomic():
        entry = record(actor=None, action="test.queued", after={"n": 1})
        # no chain position, no hash, no lock on the head inside the writer's transaction
        assert (entry.seq, entry.prev_hash, entry.hash) == (None, "", "")
    result = verify_chain()
    assert result.ok and result.queued == 1 and result.checked == chain[-1].seq
    assert result.oldest_queued_at == AuditEntry.objects.get(pk=entry.pk).at
    assert chain_queued() == 1
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.seq == chain[-1].seq + 1 and entry.prev_hash == chain[-1].hash
    assert verify_chain().queued == 0 and verify_chain().ok


def test_the_sequencer_chains_in_id_order_in_batches(chain):
    with transaction.atomic():
        entries = [record(actor=None, action="test.batch", object_id=str(i)) for i in range(7)]
    assert chain_queued(batch_size=3) == 7
    stored = list(AuditEntry.objects.filter(action="test.batch").order_by("seq"))
    assert [e.id for e in stored] == [e.id for e in entries]
    assert [e.seq for e in stored] == list(range(chain[-1].seq + 1, chain[-1].seq + 8))
    result = verify_chain(batch_size=2)
    assert result.ok and result.queued == 0


def test_it_takes_type_id_and_region_from_the_object(users):
    camat = users["camat-tongas"]
    position = Position.objects.get(pk=camat.position_id)
    with transaction.atomic():
        entry = record(actor=camat, action="position.change", obj=position, note="n")
    assert (entry.object_type, entry.object_id) == ("position", str(position.pk))
    assert entry.region_code == position.region.code == "35.13.23"
    assert entry.actor == camat and entry.actor_username == "camat-tongas"
    tongas = Region.objects.get(code="35.13.23")
    with transaction.atomic():
        entry = record(actor=None, action="region.change", obj=tongas, object_id="x")
    assert (entry.object_type, entry.object_id, entry.region_code) == ("region", "x", "35.13.23")
    assert entry.actor is None and entry.actor_username == ""


def test_what_is_hashed_is_what_the_database_gives_back():
    moment = dt.datetime(2024, 11, 27, 7, 30, 15, 123456, tzinfo=WIB)
    with transaction.atomic():
        entry = record(
            actor=None,
            action="test.values",
            before={"amount": decimal.Decimal("1.50"), "day": dt.date(2024, 11, 27)},
            after={
                "at": moment,
                "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
                "lat": -7.75,
                "whole": 2.0,
                "big": 1e20,
                "tags": ("a", "b"),
                "nested": {1: [dt.time(8, 0)]},
            },
        )
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.before == {"amount": "1.50", "day": "2024-11-27"}
    assert stored.after["at"] == "2024-11-27T00:30:15.123456+00:00"
    assert stored.after["id"] == "12345678-1234-5678-1234-567812345678"
    assert stored.after["whole"] == 2 and stored.after["big"] == 10**20
    assert stored.after["lat"] == -7.75 and stored.after["tags"] == ["a", "b"]
    assert stored.after["nested"] == {"1": ["08:00:00"]}
    chained_entry = chained(entry)
    assert entry_hash(chained_entry.hashed_fields()) == chained_entry.hash != ""
    assert verify_chain().ok


def test_snapshot_gives_json_safe_values_and_never_a_password(users):
    user = users["pemantau-kraksaan"]
    values = snapshot(user, ["username", "role", "agency", "regions", "date_joined", "password"])
    assert values["username"] == "pemantau-kraksaan" and values["role"] == "monitor"
    assert values["agency"] is None
    assert values["regions"] == sorted(user.regions.values_list("pk", flat=True))
    assert len(values["regions"]) == 3
    assert values["date_joined"].endswith("+00:00")
    assert values["password"] == "(hidden)" and user.password not in str(values)


def test_an_entry_rolls_back_with_the_change_it_describes(chain):
    with pytest.raises(RuntimeError), transaction.atomic():
        record(actor=None, action="test.rolled_back")
        raise RuntimeError("the change failed")
    assert not AuditEntry.objects.filter(action="test.rolled_back").exists()
    with transaction.atomic():
        entry = record(actor=None, action="test.after")
    # no gap in the chain: a gap always means a removed entry
    entry = chained(entry)
    assert entry.seq == chain[-1].seq + 1 and entry.prev_hash == chain[-1].hash
    assert verify_chain().ok


def test_it_keeps_who_acted_when_their_account_is_deleted(chain):
    user = get_user_model().objects.create_user("sementara", password="x-Sementara-2024")
    with transaction.atomic():
        entry = record(actor=user, action="test.by_user", after={"x": 1})
    chained(entry)
    user.delete()
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert entry.actor is None and entry.actor_username == "sementara"
    assert verify_chain().ok


def test_it_starts_a_transaction_of_its_own_when_called_outside_one(chain):
    entry = record(actor=None, action="test.autocommit")
    assert chained(entry).prev_hash == chain[-1].hash
    assert verify_chain().ok


def test_a_malformed_entry_is_refused_on_every_database(chain):
    with pytest.raises(ValueError), transaction.atomic():
        record(actor=None, action="")
    with pytest.raises(ValueError), transaction.atomic():
        record(actor=None, action="test." + "x" * 80)
    assert AuditEntry.objects.order_by("-id").first().id == chain[-1].id
