"""The per-process copy of what a report needs (monitoring/lookups.py): the same answers as the
database, forgotten when the instruction or the regions change."""

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from shapely.geometry import shape

from pantau.instruction import selectors
from pantau.instruction.models import Checklist, Stage
from pantau.lib import kept as kept_copies
from pantau.monitoring import lookups
from pantau.monitoring.actions import do_submit_report
from pantau.regions.models import Region

pytestmark = pytest.mark.django_db
NGADISARI = "35.13.01.2001"
MOMENTS = [
    dt.datetime(2024, 1, 1, 3, tzinfo=dt.UTC),  # before every stage: the nearest
    dt.datetime(2024, 11, 26, 8, tzinfo=dt.UTC),  # masa tenang
    dt.datetime(2024, 11, 27, 2, tzinfo=dt.UTC),  # voting day
    dt.datetime(2025, 6, 1, 3, tzinfo=dt.UTC),  # after every stage
]


@pytest.fixture
def kept(monkeypatch):
    """The copy in use, as outside a transaction (tests run inside one)."""
    kept_copies.clear_all()
    monkeypatch.setattr(kept_copies, "enabled", lambda: True)
    yield lookups
    kept_copies.clear_all()


def test_it_answers_what_the_database_answers(kept):
    village = Region.objects.get(code=NGADISARI)
    operation = selectors.operation_for_region(village)
    for moment in MOMENTS:
        assert kept.operation_for(village, moment) == selectors.operation_for(village, moment)
        assert kept.operation_for(village, moment) == operation
        stage = selectors.stage_for(operation, moment)
        assert kept.stage_for(operation, moment) == stage
        assert kept.first_checklist(stage) == stage.checklists.filter(is_active=True).first()
    found = kept.region(NGADISARI)
    assert found == village and found.parent.code == "35.13.01"
    assert kept.region("99.99.99.9999") is None


def test_a_second_report_asks_the_database_only_to_store_it(kept, users):
    def submit():
        region = kept.region(NGADISARI)
        return do_submit_report(
            acting_user=users["desa-3513012001"],
            client_id=uuid.uuid4(),
            region=region,
            observed_at=dt.datetime(2024, 11, 27, 9, 30),
            situation="aman",
            answers={"tps_buka_tepat": "ya", "surat_suara_cukup": "ya", "gangguan": "tidak ada"},
        )

    first, _ = submit()
    with CaptureQueriesContext(connection) as queries:
        second, created = submit()
    assert created and second.stage == first.stage and second.checklist == first.checklist
    sql = [q["sql"] for q in queries.captured_queries]
    assert not [s for s in sql if "instruction_" in s or "regions_region" in s], sql
    assert sum("INSERT INTO" in s for s in sql) == 2  # the report and its audit entry


def test_a_changed_stage_is_seen_at_once_in_this_process(kept):
    operation = selectors.operation_for_region(Region.objects.get(code=NGADISARI))
    voting = dt.datetime(2024, 11, 27, 2, tzinfo=dt.UTC)
    assert kept.stage_for(operation, voting).code == "pemungutan"
    stage = Stage.objects.get(operation=operation, code="pemungutan")
    stage.is_active = False
    stage.save()  # the admin, the loader
    assert kept.stage_for(operation, voting).code != "pemungutan"


def test_a_change_made_by_another_process_is_seen_within_the_ttl(kept, monkeypatch):
    operation = selectors.operation_for_region(Region.objects.get(code=NGADISARI))
    stage = Stage.objects.get(operation=operation, code="pemungutan")
    assert kept.first_checklist(stage).code == "pemungutan"
    Checklist.objects.filter(stage=stage).update(is_active=False)  # no signal in this process
    assert kept.first_checklist(stage).code == "pemungutan"  # kept for now
    clock = kept.time.monotonic() + kept.TTL + 1
    monkeypatch.setattr(kept.time, "monotonic", lambda: clock)
    assert kept.first_checklist(stage) is None


def test_inside_a_transaction_the_database_is_asked(users):
    lookups.clear()
    assert connection.in_atomic_block and not lookups.enabled()
    village = lookups.region(NGADISARI)
    operation = lookups.operation_for(village, MOMENTS[2])
    assert lookups.stage_for(operation, MOMENTS[2]).code == "pemungutan"
    assert lookups._structure is None and not lookups._regions


def test_the_boundary_is_read_only_for_a_location(kept, users):
    village = kept.region(NGADISARI)
    assert "geometry" in village.get_deferred_fields()
    assert lookups.boundary(village).equals(shape(Region.objects.get(code=NGADISARI).geometry))
    far, _ = do_submit_report(
        acting_user=users["desa-3513012001"],
        client_id=uuid.uuid4(),
        region=village,
        observed_at=dt.datetime(2024, 11, 27, 9, 30),
        situation="aman",
        answers={"tps_buka_tepat": "ya", "surat_suara_cukup": "ya", "gangguan": "tidak ada"},
        lat=-7.7500,
        lon=113.2200,
    )
    assert far.location_flagged and far.location_distance_km > 10
    assert "geometry" in village.get_deferred_fields()  # the kept region stays small
