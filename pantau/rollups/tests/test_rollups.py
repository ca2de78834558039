"""The dashboard's figures from the rollups (plus the live tail) equal the figures computed from
the base rows, for several users, regions and filters, before and after the job ran and after
problems change state."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from pantau.accounts import access
from pantau.conftest import VOTING_DAY
from pantau.dashboard import selectors
from pantau.figures import read
from pantau.instruction.models import Category, Stage
from pantau.lib.clock import aware
from pantau.regions.models import Region
from pantau.rollups import compute
from pantau.rollups import read as rollups
from pantau.rollups.models import PlaceLatest, Tally

KABUPATEN = "35.13"
SUKAPURA = "35.13.01"
NGADISARI = "35.13.01.2001"
TONGAS = "35.13.23"
BANTARAN = "35.13.04"
LUMBANG = "35.13.24"
USERS = ["admin", "bupati", "asisten-pemkesra", "asisten-adum", "camat-tongas", "opd-bakesbangpol"]
# the checkpoints between the two thorough ones: a territory of everything, one of several
# kecamatan and one of a single kecamatan, with no filter, today, and every filter at once
QUICK_USERS = ["admin", "asisten-adum", "camat-tongas"]
QUICK_FILTERS = [0, 1, 5]


def village(kecamatan: str, n: int = 0) -> str:
    return Region.objects.filter(parent__code=kecamatan).order_by("code")[n].code


def reference(monkeypatch, fn, **kw):
    """The figures computed from the base rows alone (the old computation)."""
    with monkeypatch.context() as m:
        m.setattr(read, "COUNTS", [])
        return fn(**kw)


def filter_sets(now):
    today = selectors.start_of_today(now)
    stage = Stage.objects.filter(is_active=True).order_by("order").first()
    logistik = Category.objects.get(code="logistik")
    voting = aware(VOTING_DAY).astimezone(selectors.WIB).replace(hour=0, minute=30)
    return [
        {},
        {"since": today},
        {"since": voting.replace(minute=0)},
        {"stage": stage},
        {"category": logistik},
        {"since": voting.replace(minute=0), "category": logistik, "stage": stage},
        {"since": voting.replace(minute=0) - dt.timedelta(days=3), "until": today},
    ]


def reference_series(monkeypatch, **kw):
    with monkeypatch.context() as m:
        m.setattr(read, "SERIES", [])
        return selectors.timeseries(**kw)


def used_rollup_series(user, region, **filters) -> bool:
    scope = read.Selection.of(user, region, now=timezone.now(), **filters)
    return rollups.series(scope) is not None


def used_rollups(user, region, **filters) -> bool:
    scope = read.Selection.of(user, region, now=timezone.now(), **filters)
    children = list(selectors.children_of(user, region))
    length = len(children[0].code) if children else len(region.code)
    return rollups.figures(scope, length) is not None


def assert_same(users, monkeypatch, now=None, expect_rollups=True, thorough=False):
    """Every user of USERS, every filter set, where `thorough`; else QUICK_USERS and
    QUICK_FILTERS."""
    now = now or timezone.now()
    used = used_series = 0
    sets = filter_sets(now)
    if not thorough:
        sets = [sets[i] for i in QUICK_FILTERS]
    for username in USERS if thorough else QUICK_USERS:
        user = users[username]
        regions = {r.code: r for r in [selectors.dashboard_region(user)]}
        for code in (KABUPATEN, "35"):
            regions.update({r.code: r for r in Region.objects.filter(code=code)})
        if access.sees_nation(user):
            nation = Region.nation()  # the sums of the provinces' rows
            regions[nation.code] = nation
        for region in regions.values():
            for filters in sets:
                kw = {"user": user, "region": region, "now": now, **filters}
                got = selectors.summary(**kw)
                assert got == reference(monkeypatch, selectors.summary, **kw), (
                    username,
                    region.code,
                    filters,
                )
                used += used_rollups(user, region, **filters)
                # the time series (per day from the tallies; per hour from the base rows)
                series = selectors.timeseries(**kw)
                assert series == reference_series(monkeypatch, **kw), (
                    username,
                    region.code,
                    filters,
                )
                used_series += used_rollup_series(user, region, **filters)
        kw = {"user": user, "now": now}
        assert selectors.clusters(**kw) == reference(monkeypatch, selectors.clusters, **kw)
    if expect_rollups:
        assert used > 0 and used_series > 0
    return used


@pytest.fixture
def scenario(users, new_report, new_problem, act):
    """Reports and problems in several kecamatan, some of them handled."""
    voting = aware(VOTING_DAY)
    made = {"problems": []}
    for i, (kecamatan, situation) in enumerate(
        [(SUKAPURA, "aman"), (TONGAS, "waspada"), (BANTARAN, "rawan"), (LUMBANG, "aman")]
    ):
        for n in range(2):
            new_report(
                "admin",
                region=village(kecamatan, n),
                observed_at=voting + dt.timedelta(minutes=10 * i + n),
                situation=situation,
            )
        new_report("admin", region=kecamatan, observed_at=voting - dt.timedelta(hours=2))
    for kecamatan, severity, category in [
        (TONGAS, "kritis", "logistik"),
        (TONGAS, "rendah", "keamanan"),
        (BANTARAN, "tinggi", "logistik"),
        (LUMBANG, "sedang", "logistik"),
        (SUKAPURA, "rendah", "keamanan"),
    ]:
        made["problems"].append(
            new_problem("admin", region=village(kecamatan), severity=severity, category=category)
        )
    resolved = made["problems"][1]
    act(resolved, "admin", "verify")
    act(resolved, "admin", "start")
    act(resolved, "admin", "resolve", solution="Selesai.")
    act(made["problems"][4], "admin", "reject", note="Bukan masalah pemilihan.")
    return made


def test_the_rollups_give_the_figures_of_the_base_rows(
    users, scenario, new_report, new_problem, act, monkeypatch
):
    # Before any run: computed from the base rows.
    assert compute.watermark() is None
    assert_same(users, monkeypatch, expect_rollups=False)

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5), tick=True):
        compute.refresh()
        assert Tally.objects.filter(depth=1).exists() and PlaceLatest.objects.exists()
        # Everything is in the rollups now.
        assert assert_same(users, monkeypatch, thorough=True) > 0

        # After the run: new reports (newer and older than what the rollups hold for their
        # places), new problems and state changes are added from the base rows.
        voting = aware(VOTING_DAY)
        new_report(
            "admin",
            region=village(TONGAS),
            observed_at=voting + dt.timedelta(hours=1),
            situation="rawan",
        )
        new_report(
            "admin",
            region=village(SUKAPURA),
            observed_at=voting - dt.timedelta(hours=1),
            situation="rawan",
        )
        new_report("admin", region=village(LUMBANG, 3), situation="waspada")
        kritis, rendah, tinggi, sedang, rejected = scenario["problems"]
        act(kritis, "admin", "verify")
        act(kritis, "admin", "start")
        act(kritis, "admin", "resolve", solution="Diantar.")
        act(rendah, "admin", "reopen", note="Muncul lagi.")
        act(rejected, "admin", "reopen", note="Ternyata ya.")
        new_problem("admin", region=village(BANTARAN, 1), severity="kritis", category="keamanan")
        assert assert_same(users, monkeypatch, thorough=True) > 0

        # Overdue later on: a day after (deadline days before today) and within the day.
        for later in (dt.timedelta(days=10), dt.timedelta(hours=5)):
            assert_same(users, monkeypatch, now=timezone.now() + later)

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=10), tick=True):
        done = compute.refresh()
        assert not done["full"] and done["areas"] >= 4
        assert_same(users, monkeypatch)
        act(tinggi, "admin", "verify")
        act(sedang, "admin", "duplicate", duplicate_of=tinggi.pk)
        assert_same(users, monkeypatch)
        assert_same(users, monkeypatch, now=timezone.now() + dt.timedelta(days=3))


def tallies():
    return sorted(
        Tally.objects.values_list("code", "metric", "stage_key", "category_key", "day", "key", "n")
    )


def places():
    return sorted(PlaceLatest.objects.values_list("code", "stage_key", "report_id", "situation"))


def test_a_run_is_idempotent_and_equals_a_full_rebuild(users, scenario, act, new_report):
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5), tick=True):
        compute.refresh()
        before, places_before = tallies(), places()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=10), tick=True):
        act(scenario["problems"][0], "admin", "verify")
        # new reports on a day already counted (newer and older than their places' latest)
        # and on a new day: only those (kecamatan, day) buckets are recounted
        voting = aware(VOTING_DAY)
        new_report("admin", region=village(TONGAS), observed_at=voting + dt.timedelta(hours=2))
        new_report(
            "admin",
            region=village(SUKAPURA, 1),
            observed_at=voting - dt.timedelta(hours=3),
            situation="rawan",
        )
        new_report("admin", region=village(LUMBANG, 2), situation="waspada")
    # (a run counts what was received until LAG before it)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=12), tick=True):
        done = compute.refresh()
        assert not done["full"]
        first, first_places = tallies(), places()
        assert first != before and first_places != places_before
        compute.refresh()
        assert tallies() == first and places() == first_places
        compute.refresh(full=True)
        assert tallies() == first and places() == first_places
    kabupaten = [t for t in first if t[0] == KABUPATEN]
    kecamatan = [t for t in first if t[0].startswith(KABUPATEN + ".")]
    assert sum(t[-1] for t in kabupaten) == sum(t[-1] for t in kecamatan)


def test_the_nation_reads_the_provinces_rollups(users, scenario, django_assert_max_num_queries):
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5), tick=True):
        compute.refresh()
        admin, nation = users["admin"], Region.nation()
        assert used_rollups(admin, nation) and used_rollup_series(admin, nation)
        with django_assert_max_num_queries(14):
            data = selectors.summary(user=admin, region=nation)
        assert [c["code"] for c in data["children"]] == ["35"]
        assert (
            data["totals"]
            == selectors.summary(user=admin, region=Region.objects.get(code="35"))["totals"]
        )


def test_the_dashboard_reads_the_rollups_in_a_bounded_number_of_queries(
    users, scenario, django_assert_max_num_queries
):
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5), tick=True):
        compute.refresh()
        bupati = users["bupati"]
        region = selectors.dashboard_region(bupati)
        assert used_rollups(bupati, region)
        # children, watermark, 2 tallies, categories, due today, 2 tails, compliance (4)
        with django_assert_max_num_queries(14):
            data = selectors.summary(user=bupati, region=region)
        assert len(data["children"]) == 24


def test_the_command_rebuilds_with_progress(users, scenario, capsys):
    from django.core.management import call_command

    call_command("rebuildrollups")
    out = capsys.readouterr().out
    assert "kecamatan" in out and compute.watermark() is not None
    call_command("rebuildrollups", "--clear")
    assert compute.watermark() is None and not Tally.objects.exists()


def test_the_page_reads_the_watermark_and_the_changed_problems_once(users, scenario, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5), tick=True):
        compute.refresh()
        client = login("bupati")
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/dasbor/")
        assert response.status_code == 200 and response.context["data"]["children"]
        sql = [q["sql"] for q in queries.captured_queries]
        # the summary, the clusters and the time series read the rollups: one look-up each
        assert sum("rollups_watermark" in q for q in sql) == 1
        changed = [q for q in sql if '"problems_problem"."updated_at" >' in q]
        assert len(changed) == 1
