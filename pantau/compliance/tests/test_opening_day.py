"""The day /kepatuhan/ opens on: today inside the operation's stages; outside them the
operation's latest day with data that expects reports (a day no rule expects any would show
only zeros), said on the page; an explicit day always wins."""

import datetime as dt
import uuid

import time_machine
from django.utils import timezone

from pantau.compliance.selectors import compliance
from pantau.compliance.tests.conftest import kecamatan, wib
from pantau.instruction.models import Operation, ReportingRule
from pantau.lib.clock import WIB, local_date
from pantau.monitoring.actions import do_submit_report
from pantau.monitoring.models import Report
from pantau.problems.models import Problem

NOTICE = "Hari ini di luar tahapan"


def _span(operation):
    stages = operation.stages.filter(is_active=True)
    return min(s.starts_on for s in stages), max(s.ends_on for s in stages)


def _days_with_data(operation, first, last) -> set[dt.date]:
    reports = Report.objects.filter(operation=operation).values_list("observed_at", flat=True)
    problems = Problem.objects.filter(operation=operation).values_list("created_at", flat=True)
    return {local_date(m) for m in [*reports, *problems] if first <= local_date(m) <= last}


def test_outside_the_stages_it_opens_on_the_latest_day_with_data_and_says_so(users, login):
    operation = Operation.objects.get(status="active")
    first, last = _span(operation)
    assert local_date(timezone.now()) > last  # the demo's operation is over (Pilkada 2024)
    page = login("bupati").get("/kepatuhan/")
    assert page.status_code == 200
    shown = page.context["start"]
    assert page.context["end"] == shown and page.context["opening"].moved
    days = _days_with_data(operation, first, local_date(timezone.now()))
    expecting = {d for d in days if compliance(region=operation.region, start=d, end=d).expected}
    assert shown in expecting and shown == max(expecting)
    assert max(days) > shown  # the demo's last problem is in the recapitulation: no rule then
    assert page.context["result"].expected > 0
    html = page.content.decode()
    assert NOTICE in html and f'data-opening-day="{shown:%Y-%m-%d}"' in html


def test_a_report_on_the_last_stage_day_moves_the_opening_day_to_the_last_day_expecting_one(
    users, login
):
    """16 December (the recapitulation's last day) has data but no rule: the page opens on
    the last day before it that expects reports; with a rule for that stage, on the 16th."""
    operation = Operation.objects.get(status="active")
    _first, last = _span(operation)
    do_submit_report(
        acting_user=users["camat-leces"],
        client_id=uuid.uuid4(),
        region=kecamatan("Leces"),
        observed_at=wib("10:00", last),
        situation="aman",
        answers={"rekap_mulai": "ya", "kotak_suara_aman": "ya"},
    )
    client = login("bupati")
    assert client.get("/dasbor/").context["opening"].day == last
    page = client.get("/kepatuhan/")
    assert page.context["start"] == dt.date(2024, 11, 28) and page.context["opening"].moved
    ReportingRule.objects.create(
        operation=operation,
        code="camat-rekap",
        name="Laporan camat selama rekapitulasi",
        role="camat",
        stage=operation.stages.get(code="rekapitulasi"),
        times=["12:00"],
        grace_minutes=60,
    )
    page = client.get("/kepatuhan/")
    assert page.context["start"] == last and page.context["opening"].moved


def test_an_explicit_day_wins_and_nothing_is_said(users, login):
    for params in ({"date": "2024-11-26"}, {"since": "2024-11-26", "until": "2024-11-27"}):
        page = login("bupati").get("/kepatuhan/", params)
        assert page.context["start"] == dt.date(2024, 11, 26)
        assert "opening" not in page.context and NOTICE not in page.content.decode()


def test_inside_the_stages_it_opens_on_today(users, login):
    client = login("bupati")
    with time_machine.travel(dt.datetime(2024, 11, 27, 15, 0, tzinfo=WIB), tick=False):
        page = client.get("/kepatuhan/")
    assert page.context["start"] == dt.date(2024, 11, 27)
    assert not page.context["opening"].moved and NOTICE not in page.content.decode()


def test_a_problem_reported_today_keeps_the_page_on_today(users, login):
    """Data after the stages counts: what was reported today is not hidden behind an old day."""
    problem = Problem.objects.filter(operation__status="active").latest("created_at")
    Problem.objects.filter(pk=problem.pk).update(created_at=timezone.now())
    page = login("bupati").get("/kepatuhan/")
    assert page.context["start"] == local_date(timezone.now())
    assert not page.context["opening"].moved
