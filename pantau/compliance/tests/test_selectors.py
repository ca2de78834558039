"""The counts against the hand-computed fixture of conftest.py (voting day, three kecamatan)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pantau.compliance.selectors import (
    compliance,
    compliance_by_cluster,
    compliance_for,
    period,
    slots,
)
from pantau.compliance.tests.conftest import AFTER, DAY, kecamatan, wib
from pantau.instruction.models import Operation
from pantau.lib.errors import Invalid, NotFound
from pantau.regions.models import Region

pytestmark = pytest.mark.django_db


def counts(node):
    return (node.expected, node.received, node.on_time, node.reporting_rate, node.on_time_rate)


def by_region(node):
    return {child.region: child for child in node.children}


def test_it_counts_on_time_late_and_missing_per_kecamatan(voting_day):
    # Leces: five deadlines, five reports inside their windows (the 06:45 one for a village
    # of Leces, the 20:10 one inside the 30 minutes' grace of 20:00).
    leces = compliance(region=voting_day["leces"], start=DAY, end=DAY, now=AFTER)
    assert counts(leces) == (5, 5, 5, 1.0, 1.0)
    assert leces.missing == [] and leces.children == []
    # Tegalsiwalan: 06:50, 09:40, 12:55 on time; nothing for 16:00; 20:45 is after 20:30:
    # late (for 20:00). Received 4/5 = 0.8, on time 3/5 = 0.6, 16:00 missing.
    teg = compliance(region=voting_day["tegalsiwalan"], start=DAY, end=DAY, now=AFTER)
    assert counts(teg) == (5, 4, 3, 0.8, 0.6)
    assert teg.late == 1
    assert [(m.username, m.region, m.due_at) for m in teg.missing] == [
        ("camat-tegalsiwalan", voting_day["tegalsiwalan"].code, wib("16:00"))
    ]
    # Dringu: nothing at all.
    dringu = compliance(region=voting_day["dringu"], start=DAY, end=DAY, now=AFTER)
    assert counts(dringu) == (5, 0, 0, 0.0, 0.0)
    assert [m.due_at for m in dringu.missing] == [
        wib(t) for t in ("07:00", "10:00", "13:00", "16:00", "20:00")
    ]
    assert {m.full_name for m in dringu.missing} == {"Camat Dringu"}
    assert dringu.missing[0].region_name == "Dringu"


def test_it_counts_the_kabupaten_with_a_child_per_kecamatan(voting_day):
    kab = Region.objects.get(code="35.13")
    total = compliance(region=kab, start=DAY, end=DAY, now=AFTER)
    # 24 camat x 5 deadlines = 120 expected; received 5 + 4 = 9; on time 5 + 3 = 8.
    assert counts(total) == (120, 9, 8, 9 / 120, 8 / 120)
    assert len(total.missing) == 111
    children = by_region(total)
    assert len(children) == 24
    assert counts(children[voting_day["leces"].code]) == (5, 5, 5, 1.0, 1.0)
    assert counts(children[voting_day["tegalsiwalan"].code]) == (5, 4, 3, 0.8, 0.6)
    assert counts(children[kecamatan("Tongas").code]) == (5, 0, 0, 0.0, 0.0)
    assert sum(c.expected for c in total.children) == 120
    # the missing list is in deadline order
    assert [m.due_at for m in total.missing] == sorted(m.due_at for m in total.missing)


def test_it_counts_per_cluster(voting_day):
    operation = Operation.objects.get(code="pilkada-2024-probolinggo")
    found = {
        cluster.code: node
        for cluster, node in compliance_by_cluster(
            operation=operation, start=DAY, end=DAY, now=AFTER
        )
    }
    assert list(found) == ["pemkesra", "adum", "ekbang"]
    # adum: 8 kecamatan x 5 = 40 expected, 9 received, 8 on time; the others: nothing.
    assert counts(found["adum"]) == (40, 9, 8, 9 / 40, 8 / 40)
    assert found["adum"].level == "cluster" and found["adum"].region == "adum"
    assert len(found["adum"].children) == 8
    assert counts(by_region(found["adum"])[voting_day["tegalsiwalan"].code]) == (
        5,
        4,
        3,
        0.8,
        0.6,
    )
    assert counts(found["pemkesra"]) == (40, 0, 0, 0.0, 0.0)


def test_deadlines_still_open_are_not_expected(voting_day):
    # At 11:00 only 07:00 and 10:00 are closed (+30 min): 2 expected per camat.
    at_eleven = dt.datetime.combine(DAY, dt.time(11, 0), tzinfo=dt.timezone(dt.timedelta(hours=7)))
    assert counts(compliance(region=voting_day["leces"], start=DAY, end=DAY, now=at_eleven)) == (
        2,
        2,
        2,
        1.0,
        1.0,
    )
    assert counts(
        compliance(region=voting_day["tegalsiwalan"], start=DAY, end=DAY, now=at_eleven)
    ) == (2, 2, 2, 1.0, 1.0)
    dringu = compliance(region=voting_day["dringu"], start=DAY, end=DAY, now=at_eleven)
    assert counts(dringu) == (2, 0, 0, 0.0, 0.0)
    assert [m.due_at for m in dringu.missing] == [wib("07:00"), wib("10:00")]


def test_a_day_without_a_rule_expects_nothing(voting_day):
    quiet = compliance(
        region=voting_day["leces"], start=dt.date(2025, 1, 5), end=dt.date(2025, 1, 6), now=AFTER
    )
    assert counts(quiet) == (0, 0, 0, None, None)


def test_the_kepala_opd_owes_one_report_per_assigned_kecamatan(users):
    # The campaign: each Kepala OPD by 17:00 (+60) for each kecamatan; Dishub has Leces and
    # Gending. One report for Leces at 17:30 (on time), none for Gending.
    from pantau.compliance.tests.conftest import send

    day = dt.date(2024, 11, 20)
    send(users["opd-dishub"], kecamatan("Leces"), wib("17:30", day))
    end = wib("23:00", day)
    found = [
        s
        for s in slots(
            operation=Operation.objects.get(code="pilkada-2024-probolinggo"),
            start=day,
            end=day,
            now=end,
        )
        if s.unit.username == "opd-dishub"
    ]
    assert sorted((s.unit.name, s.status) for s in found) == [
        ("Gending", "missing"),
        ("Leces", "on_time"),
    ]
    # The Kepala OPD's page: the total of their two kecamatan, everyone's reports there. In
    # each, the camat (16:00) and two Kepala OPD (17:00) owe one: Leces (Dishub, Dispendik),
    # Gending (Bapenda, Dishub): 6 expected, 1 received (on time).
    node, _scope = compliance_for(users["opd-dishub"], start=day, end=day, now=end)
    assert node.level == "territory"
    assert counts(node) == (6, 1, 1, 1 / 6, 1 / 6)
    assert {c.name: c.expected for c in node.children} == {"Leces": 3, "Gending": 3}
    leces = compliance(region=kecamatan("Leces"), start=day, end=day, now=end)
    assert {m.username for m in leces.missing} == {"camat-leces", "opd-dispendik"}


def test_the_user_scope_is_the_territory(voting_day, users):
    node, scope = compliance_for(users["bupati"], start=DAY, end=DAY, now=AFTER)
    assert node.region == "35.13" and node.expected == 120
    node, scope = compliance_for(users["asisten-adum"], start=DAY, end=DAY, now=AFTER)
    assert (node.level, node.region, counts(node)[:3]) == ("cluster", "adum", (40, 9, 8))
    node, scope = compliance_for(users["camat-leces"], start=DAY, end=DAY, now=AFTER)
    assert node.region == voting_day["leces"].code and counts(node)[:3] == (5, 5, 5)
    with pytest.raises(NotFound):
        compliance_for(
            users["camat-leces"], code=voting_day["dringu"].code, start=DAY, end=DAY, now=AFTER
        )
    with pytest.raises(NotFound):
        compliance_for(users["bawaslu"], start=DAY, end=DAY, now=AFTER)


def test_the_kabupaten_is_counted_in_a_fixed_number_of_queries(voting_day):
    kab = Region.objects.get(code="35.13")
    end = dt.date(2024, 11, 28)
    with CaptureQueriesContext(connection) as queries:
        total = compliance(region=kab, start=dt.date(2024, 9, 25), end=end, now=AFTER)
    assert total.expected > 1000
    assert len(queries) <= 12, [q["sql"] for q in queries]


def test_a_period_is_one_day_or_a_range():
    assert period(date=DAY) == (DAY, DAY)
    assert period(since=DAY) == (DAY, DAY)
    assert period(since=DAY, until=DAY + dt.timedelta(days=2)) == (DAY, dt.date(2024, 11, 29))
    assert period(now=AFTER) == (DAY, DAY)
    with pytest.raises(Invalid):
        period(since=DAY, until=DAY - dt.timedelta(days=1))
    with pytest.raises(Invalid):
        period(since=dt.date(2024, 1, 1), until=dt.date(2025, 6, 1))
    with pytest.raises(Invalid):
        period(date=dt.date(1, 1, 1))
