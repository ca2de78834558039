"""The incremental run counts each report once: also one whose transaction committed late (a
report received before the watermark that the previous run did not see yet), and one that a
full rebuild already counted inside the overlap window. It equals a full rebuild."""

import datetime as dt

import time_machine
from django.utils import timezone

from pantau.conftest import VOTING_DAY
from pantau.lib.clock import aware
from pantau.monitoring.models import Report
from pantau.regions.models import Region
from pantau.rollups import compute
from pantau.rollups.models import CountedReport, Tally
from pantau.rollups.tests.test_rollups import SUKAPURA, TONGAS, places, tallies, village


def reports_counted() -> int:
    return sum(Tally.objects.filter(depth=1, metric="R", stage_key=0).values_list("n", flat=True))


def test_it_counts_a_late_commit_once(users, new_report):
    voting = aware(VOTING_DAY)
    new_report("admin", region=village(TONGAS), observed_at=voting)
    base = Report.objects.count()  # (with the fixtures' reports, all at villages)
    started = timezone.now()
    # All received just now, inside the first run's overlap, however long ago the session's
    # fixtures were made (a slow run took them out of it).
    Report.objects.update(received_at=started)
    with time_machine.travel(started + dt.timedelta(minutes=5), tick=True):
        done = compute.refresh()
        assert done["full"] and done["reports"] == base
        # (received inside the overlap: listed, so that the next run does not count them again)
        assert CountedReport.objects.count() == base
        mark = compute.watermark()
    # A transaction that committed after the run: received two minutes before its watermark.
    late = new_report("admin", region=village(SUKAPURA), observed_at=voting + dt.timedelta(hours=1))
    Report.objects.filter(pk=late.pk).update(received_at=mark - dt.timedelta(minutes=2))
    with time_machine.travel(started + dt.timedelta(minutes=6), tick=True):
        done = compute.refresh()
        assert not done["full"] and done["reports"] == 1
        assert reports_counted() == base + 1
        first, first_places = tallies(), places()
        assert any(p[2] == late.pk for p in first_places)
        done = compute.refresh()
        assert done["reports"] == 0 and tallies() == first and places() == first_places
    # Past the overlap: the listed ids are forgotten, nothing is counted again.
    with time_machine.travel(started + dt.timedelta(minutes=30), tick=True):
        assert compute.refresh()["reports"] == 0
        assert not CountedReport.objects.exists()
        assert tallies() == first and places() == first_places
        compute.refresh(full=True)
        assert tallies() == first and places() == first_places


def test_the_watermark_does_not_go_back(users, new_report):
    new_report("admin", region=village(TONGAS))
    base = Report.objects.count()
    later = timezone.now() + dt.timedelta(minutes=5)
    compute.refresh(now=later)
    compute.refresh(now=later - dt.timedelta(minutes=3))
    assert compute.watermark() == later - compute.LAG
    assert reports_counted() == base


def test_a_report_above_the_kecamatan_is_not_rolled_up(users, new_report):
    base = Report.objects.count()
    kabupaten = Region.objects.get(code="35.13")
    # (the app takes reports at villages and kecamatan; one at the regency, to be safe)
    above = new_report("admin", region=village(TONGAS))
    Report.objects.filter(pk=above.pk).update(region=kabupaten)
    new_report("admin", region=village(TONGAS))
    later = timezone.now() + dt.timedelta(minutes=5)
    compute.refresh(now=later, full=True)
    assert reports_counted() == base + 1
    above = new_report("admin", region=village(TONGAS))
    Report.objects.filter(pk=above.pk).update(region=kabupaten)
    done = compute.refresh(now=later + dt.timedelta(minutes=1))
    assert done["reports"] == 1 and reports_counted() == base + 1
