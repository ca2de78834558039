"""The situation rule, the figures per role, the time series and the feed."""

import datetime as dt

import pytest
from django.utils import timezone

from pantau.conftest import VOTING_DAY
from pantau.dashboard import selectors
from pantau.dashboard.selectors import situation
from pantau.lib.clock import aware
from pantau.lib.errors import NotFound
from pantau.regions.models import Region

LUMBANG = "35.13.24"  # no demo data there
BANTARAN = "35.13.04"
TONGAS = "35.13.23"
PAITON = "35.13.12"
ADUM = {"Leces", "Tegalsiwalan", "Dringu", "Tiris", "Krucil", "Banyuanyar", "Maron", "Gending"}
PEMKESRA = {
    "Tongas",
    "Wonomerto",
    "Sumberasih",
    "Sukapura",
    "Sumber",
    "Lumbang",
    "Kuripan",
    "Bantaran",
}
NONE = {"kritis": 0, "tinggi": 0, "sedang": 0, "rendah": 0}


@pytest.mark.parametrize(
    "by_severity, overdue, latest, reports, expected",
    [
        (NONE, 0, {}, 0, "unknown"),
        (NONE, 0, {"aman": 2}, 2, "aman"),
        ({**NONE, "rendah": 1}, 0, {}, 0, "aman"),
        ({**NONE, "sedang": 1}, 1, {"aman": 1}, 1, "waspada"),
        ({**NONE, "tinggi": 1}, 0, {}, 0, "waspada"),
        (NONE, 0, {"aman": 3, "waspada": 1}, 4, "waspada"),
        ({**NONE, "kritis": 1}, 0, {"aman": 1}, 1, "rawan"),
        ({**NONE, "tinggi": 2}, 2, {"rawan": 1}, 1, "rawan"),
    ],
)
def test_it_applies_the_situation_rule(by_severity, overdue, latest, reports, expected):
    assert (
        situation(open_by_severity=by_severity, overdue=overdue, latest=latest, reports=reports)
        == expected
    )


def test_the_rule_in_the_help_text_names_every_situation():
    assert [key for key, _text in selectors.SITUATION_RULE] == list(selectors.SITUATIONS)


def names(data):
    return {c["name"] for c in data["children"]}


def test_it_shows_the_pj_bupati_the_24_kecamatan(users):
    region = selectors.dashboard_region(users["bupati"])
    assert region.code == "35.13"
    data = selectors.summary(user=users["bupati"], region=region)
    assert len(data["children"]) == 24
    assert {c["level"] for c in data["children"]} == {"kecamatan"}


def test_it_shows_an_asisten_the_kabupaten_through_their_cluster(users):
    region = selectors.dashboard_region(users["asisten-adum"])
    assert region.code == "35.13"
    data = selectors.summary(user=users["asisten-adum"], region=region)
    assert names(data) == ADUM
    (cluster,) = selectors.clusters(user=users["asisten-adum"])
    assert {k["name"] for k in cluster["kecamatan"]} == ADUM


def test_it_shows_a_camat_their_kecamatan_and_its_villages(users):
    region = selectors.dashboard_region(users["camat-tongas"])
    assert region.code == TONGAS
    data = selectors.summary(user=users["camat-tongas"], region=region)
    villages = set(Region.objects.filter(parent__code=TONGAS).values_list("name", flat=True))
    assert len(villages) == 14 and names(data) == villages
    (group,) = selectors.clusters(user=users["camat-tongas"])
    assert [k["name"] for k in group["kecamatan"]] == ["Tongas"]


def test_the_bupati_sees_the_three_clusters_of_eight(users):
    found = selectors.clusters(user=users["bupati"])
    assert [len(c["kecamatan"]) for c in found] == [8, 8, 8]
    assert {k["name"] for k in found[0]["kecamatan"]} == PEMKESRA


def test_nobody_opens_a_region_outside_their_territory(users):
    with pytest.raises(NotFound):
        selectors.dashboard_region(users["camat-tongas"], PAITON)
    with pytest.raises(NotFound):
        selectors.dashboard_region(users["asisten-adum"], TONGAS)
    with pytest.raises(NotFound):
        selectors.dashboard_region(users["camat-tongas"], "99.99")
    # The kabupaten above a camat's kecamatan: seen through the territory, Tongas alone.
    region = selectors.dashboard_region(users["camat-tongas"], "35.13")
    data = selectors.summary(user=users["camat-tongas"], region=region)
    assert names(data) == {"Tongas"}


def child(data, code):
    return next(c for c in data["children"] if c["code"] == code)


def test_the_situation_follows_reports_and_problems(
    users, no_demo_reports, new_report, new_problem, act
):
    """Lumbang from no report at all (the demo's removed) to aman, waspada, rawan and back."""
    bupati = users["bupati"]
    region = Region.objects.get(code="35.13")
    now = aware(VOTING_DAY)  # (reports then, answering the voting-day checklist)
    since = now - dt.timedelta(hours=1)

    def lumbang():
        return child(selectors.summary(user=bupati, region=region, since=since), LUMBANG)

    assert lumbang()["situation"] == "unknown"
    village = Region.objects.filter(parent__code=LUMBANG).order_by("code").first().code
    new_report("bupati", region=village, observed_at=now, situation="aman")
    assert lumbang()["situation"] == "aman"
    new_report("bupati", region=LUMBANG, observed_at=now, situation="waspada")
    assert lumbang()["situation"] == "waspada"
    problem = new_problem("bupati", region=village, severity="kritis")
    row = lumbang()
    assert row["situation"] == "rawan"
    assert row["problems_open"] == 1 and row["by_severity"]["kritis"] == 1
    assert row["reports"] == 2
    act(problem, "bupati", "verify")
    act(problem, "bupati", "start")
    act(problem, "bupati", "resolve", solution="Kotak suara diantar Koramil.")
    row = lumbang()
    assert row["situation"] == "waspada"  # the latest report of Lumbang itself says waspada
    assert row["problems_open"] == 0 and row["problems_resolved"] == 1
    assert row["resolved_today"] == 1
    # A newer report of the same place replaces its situation.
    new_report("bupati", region=LUMBANG, observed_at=now + dt.timedelta(minutes=1))
    assert lumbang()["situation"] == "aman"


def test_an_overdue_problem_makes_its_kecamatan_waspada(users, new_problem):
    bupati = users["bupati"]
    region = Region.objects.get(code="35.13")
    new_problem("bupati", region=BANTARAN, severity="rendah")
    later = timezone.now() + dt.timedelta(days=30)
    data = selectors.summary(user=bupati, region=region, now=later)
    row = child(data, BANTARAN)
    assert row["problems_overdue"] == 1 and row["situation"] == "waspada"
    assert data["totals"]["problems_overdue"] >= 1


def test_totals_add_up_the_children_and_follow_the_territory(users, new_problem):
    new_problem("bupati", region=LUMBANG, severity="sedang", category="logistik")
    for username in ("bupati", "asisten-pemkesra", "asisten-adum"):
        user = users[username]
        data = selectors.summary(user=user, region=selectors.dashboard_region(user))
        assert data["totals"]["problems_open"] == sum(c["problems_open"] for c in data["children"])
        assert sum(data["by_severity"].values()) == data["totals"]["problems_open"]
        assert sum(data["by_category"].values()) == data["totals"]["problems_open"]
    adum = selectors.summary(user=users["asisten-adum"], region=Region.objects.get(code="35.13"))
    pemkesra = selectors.summary(
        user=users["asisten-pemkesra"], region=Region.objects.get(code="35.13")
    )
    assert child(pemkesra, LUMBANG)["problems_open"] == 1
    assert LUMBANG not in {c["code"] for c in adum["children"]}


def test_the_summary_takes_a_bounded_number_of_queries(users, django_assert_max_num_queries):
    bupati = users["bupati"]
    region = selectors.dashboard_region(bupati)
    # children, 3 grouped counts, by category, the compliance app's reporting rates (4)
    with django_assert_max_num_queries(10):
        data = selectors.summary(user=bupati, region=region)
    assert len(data["children"]) == 24
    with django_assert_max_num_queries(10):
        assert len(selectors.clusters(user=bupati)) == 3


@pytest.mark.parametrize("username", ["bupati", "asisten-adum", "camat-tongas"])
def test_the_clusters_show_the_summary_s_kecamatan_figures(
    users, new_problem, username, django_assert_max_num_queries
):
    """The page computes the kecamatan's figures once (summary, with a cache shared with the
    clusters): the cluster rows are the summary's rows, and add up to the summary's totals."""
    new_problem("bupati", region=LUMBANG, severity="kritis", category="logistik")
    new_problem("bupati", region=BANTARAN, severity="sedang", category="logistik")
    user, now = users[username], timezone.now()
    kabupaten = Region.objects.get(code="35.13")
    cache: dict = {}
    data = selectors.summary(user=user, region=kabupaten, now=now, cache=cache)
    with django_assert_max_num_queries(2):  # the clusters and their kecamatan: no figures
        found = selectors.clusters(user=user, now=now, cache=cache)
    assert found == selectors.clusters(user=user, now=now)  # the same without the cache
    rows = [k for cluster in found for k in cluster["kecamatan"]]
    children = {c["code"]: c for c in data["children"]}
    assert {k["code"] for k in rows} <= set(children)
    for row in rows:
        assert {key: v for key, v in row.items() if key != "url_code"} == children[row["code"]]
    assert sum(k["problems_open"] for k in rows) == data["totals"]["problems_open"]
    assert sum(k["reports"] for k in rows) == data["totals"]["reports"]
    for sev, n in data["by_severity"].items():
        assert sum(k["by_severity"][sev] for k in rows) == n


def test_a_shared_cache_keeps_regions_and_filters_apart(users):
    bupati, now, cache = users["bupati"], timezone.now(), {}
    kabupaten = Region.objects.get(code="35.13")
    everything = selectors.summary(user=bupati, region=kabupaten, now=now, cache=cache)
    today = selectors.start_of_today(now)
    since = selectors.summary(user=bupati, region=kabupaten, now=now, since=today, cache=cache)
    tongas = selectors.summary(user=bupati, region=Region.objects.get(code=TONGAS), cache=cache)
    assert since == selectors.summary(user=bupati, region=kabupaten, now=now, since=today)
    assert everything == selectors.summary(user=bupati, region=kabupaten, now=now)
    assert tongas["region"]["code"] == TONGAS and len(tongas["children"]) == 14


def test_the_time_series_counts_per_hour_by_category(users, new_problem, act):
    bupati = users["bupati"]
    region = Region.objects.get(code="35.13")
    now = timezone.now()
    since = now - dt.timedelta(hours=5)
    problem = new_problem("bupati", region=LUMBANG, category="logistik")
    new_problem("bupati", region=LUMBANG, category="logistik")
    act(problem, "bupati", "verify")
    act(problem, "bupati", "start")
    act(problem, "bupati", "resolve", solution="Selesai.")
    lumbang = Region.objects.get(code=LUMBANG)
    series = selectors.timeseries(user=bupati, region=lumbang, since=since, now=now)
    assert series["unit"] == "hour"
    assert sum(b["opened"].get("logistik", 0) for b in series["buckets"]) == 2
    assert sum(b["resolved_total"] for b in series["buckets"]) == 1
    daily = selectors.timeseries(
        user=bupati, region=region, since=now - dt.timedelta(days=7), now=now
    )
    assert daily["unit"] == "day" and len(daily["buckets"]) in (7, 8)


def test_the_feed_lists_critical_events_newest_first(users, new_problem, new_report):
    bupati = users["bupati"]
    region = Region.objects.get(code="35.13")
    now = aware(VOTING_DAY)
    new_problem("bupati", region=LUMBANG, severity="kritis", title="Bentrok pendukung")
    new_problem("bupati", region=LUMBANG, severity="rendah", title="Tenda kurang")
    new_report("bupati", region=LUMBANG, observed_at=now, situation="rawan")
    items = selectors.feed(user=bupati, region=region, since=now - dt.timedelta(hours=1))
    titles = " ".join(i["title"] for i in items)
    assert "Bentrok pendukung" in titles and "Tenda kurang" not in titles
    assert {"report", "problem"} <= {i["kind"] for i in items}
    assert [i["at"] for i in items] == sorted((i["at"] for i in items), reverse=True)
    # Outside the territory: nothing of Lumbang for the Asisten of another cluster.
    other = selectors.feed(
        user=users["asisten-adum"], region=region, since=now - dt.timedelta(hours=1)
    )
    assert all(i["region"] != "Lumbang" for i in other)


def test_above_the_territory_the_children_are_the_regions_that_hold_it(users):
    camat = users["camat-tongas"]
    province = Region.objects.filter(code="35").first()
    if province is None:
        pytest.skip("no province in the regions")
    region = selectors.dashboard_region(camat, "35")
    assert [c["code"] for c in selectors.summary(user=camat, region=region)["children"]] == [
        "35.13"
    ]


def test_the_administrator_and_the_periodic_report_see_every_kecamatan(users):
    from pantau.dashboard.selectors import summary
    from pantau.periodic.figures import system_user
    from pantau.regions.models import Region

    kabupaten = Region.objects.get(code="35.13")
    for user in (users["admin"], system_user()):
        assert len(summary(user=user, region=kabupaten)["children"]) == 24
