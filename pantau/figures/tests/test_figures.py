"""`figures(scope, period, filters)` is the one specification of the desk's numbers: with the
rollups behind it, it answers what the base rows answer; the dashboard and the periodic report
read the same figures from it."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from pantau.conftest import VOTING_DAY
from pantau.dashboard import selectors
from pantau.figures import read
from pantau.figures.read import Filters, Period, Scope, Selection, figures
from pantau.instruction.models import Category, Stage
from pantau.lib.clock import WIB, aware, local_date
from pantau.periodic import figures as periodic_figures
from pantau.regions.models import Region
from pantau.rollups import compute
from pantau.rollups import read as rollups
from pantau.rollups.tests.test_rollups import KABUPATEN, scenario  # noqa: F401 - a fixture

USERS = ["admin", "bupati", "asisten-adum", "camat-tongas", "opd-bakesbangpol"]


def periods(now):
    voting = aware(VOTING_DAY).astimezone(WIB).replace(hour=0, minute=0)
    today = selectors.start_of_today(now)
    return [Period(), Period(since=today), Period(since=voting), Period(voting, today)]


def every_figure(scope, period, filters, length):
    found = figures(scope, period, filters)
    return (
        found.stats(length),
        found.by_category(length),
        found.series(hourly=False),
        found.reporting_rates(),
    )


def test_the_rollups_answer_what_the_base_rows_answer(users, scenario, monkeypatch):  # noqa: F811
    stage = Stage.objects.filter(is_active=True).order_by("order").first()
    logistik = Category.objects.get(code="logistik")
    answered = 0
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5), tick=True):
        compute.refresh()
        now = timezone.now()
        for username in USERS:
            user = users[username]
            for region in {selectors.dashboard_region(user), Region.objects.get(code=KABUPATEN)}:
                children = list(selectors.children_of(user, region))
                length = len(children[0].code) if children else len(region.code)
                for period in periods(now):
                    for filters in (Filters(), Filters(stage=stage, category=logistik)):
                        fast = every_figure(Scope(user, region, now), period, filters, length)
                        with monkeypatch.context() as m:
                            m.setattr(read, "COUNTS", [])
                            m.setattr(read, "SERIES", [])
                            rows = every_figure(Scope(user, region, now), period, filters, length)
                        assert fast == rows, (username, region.code, period, filters)
                        selection = Selection(Scope(user, region, now), period, filters)
                        answered += rollups.figures(selection, length) is not None
    assert answered > 0  # the rollups did answer, not only the base rows


def test_the_periodic_report_shows_the_dashboards_figures(users, scenario):  # noqa: F811
    kabupaten = Region.objects.get(code=KABUPATEN)
    kecamatan = list(Region.objects.filter(parent=kabupaten).order_by("code"))
    now = timezone.now()
    voting = aware(VOTING_DAY).astimezone(WIB).replace(hour=0, minute=0)
    since, until = voting - dt.timedelta(days=1), voting + dt.timedelta(days=2)
    gathered = periodic_figures.gather(
        top=kabupaten,
        kecamatan=kecamatan,
        start=local_date(since),
        end=local_date(until) - dt.timedelta(days=1),
        since=since,
        until=until,
        now=now,
    )
    desk = selectors.summary(
        user=users["admin"], region=kabupaten, since=since, until=until, now=now
    )
    shown = {c["code"]: (c["situation"], c["reporting_rate"]) for c in desk["children"]}
    assert {r["code"]: (r["situation"], r["reporting_rate"]) for r in gathered.kecamatan} == shown
    assert {"rawan", "waspada"} <= {situation for situation, _rate in shown.values()}
    assert gathered.situation == desk["situation"] == "rawan"


@pytest.mark.parametrize(
    ("filters", "keyed"),
    [
        (Filters(), True),
        (Filters(stage=Stage(pk=1)), True),
        (Filters(category=Category(pk=1)), False),
    ],
)
def test_a_backend_sees_which_filters_it_does_not_key_on(filters, keyed):
    # (the rollups key on the stage and the category: a new filter falls to the base rows)
    assert filters.only("stage") is keyed
