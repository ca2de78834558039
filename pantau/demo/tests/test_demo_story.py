"""The demo tells one story inside the Pilkada 2024 operation's stages: every record dated in
them, voting day the busiest, and the officials' scheduled reports giving believable compliance
(most on time, some late, some missing) for the demo's days."""

import datetime as dt
from collections import Counter

import pytest

from pantau.compliance.selectors import compliance
from pantau.demo.scheduled import FIRST_DAY, REMOTE
from pantau.instruction.models import Operation
from pantau.lib.clock import WIB
from pantau.monitoring.models import Report
from pantau.notify.models import Notification
from pantau.problems.models import Problem, ProblemEvent, Referral
from pantau.regions.models import Region

pytestmark = pytest.mark.django_db

VOTING_DAY = dt.date(2024, 11, 27)


def _day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(WIB).date()


@pytest.fixture
def stages():
    operation = Operation.objects.get()
    spans = list(operation.stages.values_list("starts_on", "ends_on"))
    return min(s for s, _e in spans), max(e for _s, e in spans)


def test_every_demo_record_is_dated_in_the_operations_stages(stages):
    first, last = stages
    moments = {
        "report observed": Report.objects.values_list("observed_at", flat=True),
        "report received": Report.objects.values_list("received_at", flat=True),
        "problem": Problem.objects.values_list("created_at", flat=True),
        "problem updated": Problem.objects.values_list("updated_at", flat=True),
        "event": ProblemEvent.objects.values_list("at", flat=True),
        "referral": Referral.objects.values_list("referred_at", flat=True),
        "notification": Notification.objects.values_list("created_at", flat=True),
    }
    for what, found in moments.items():
        days = {_day(m) for m in found if m is not None}
        assert days, what
        assert first <= min(days) and max(days) <= last, (what, min(days), max(days))


def test_voting_day_is_the_busiest(stages):
    reports = Counter(_day(m) for m in Report.objects.values_list("received_at", flat=True))
    problems = Counter(_day(m) for m in Problem.objects.values_list("created_at", flat=True))
    assert max(reports, key=reports.get) == VOTING_DAY
    assert max(problems, key=problems.get) == VOTING_DAY
    assert min(reports) == FIRST_DAY  # from the day the instruction was signed


def test_the_scheduled_reports_give_believable_compliance():
    kabupaten = Region.objects.get(code="35.13")
    voting = compliance(region=kabupaten, start=VOTING_DAY, end=VOTING_DAY)
    assert voting.expected == 24 * 5  # every camat, five deadlines
    assert 0.85 <= voting.reporting_rate < 1 and voting.late > 0 and voting.missing
    # the camat at the scene of Tiris's crowd in the evening sent nothing for 20:00
    missing = {(m.username, m.due_at.astimezone(WIB).hour) for m in voting.missing}
    assert ("camat-tiris", 20) in missing
    week = compliance(region=kabupaten, start=FIRST_DAY, end=dt.date(2024, 11, 28))
    assert 0.8 <= week.reporting_rate < week.received / week.expected + 0.01 < 1
    assert week.on_time < week.received
    days = {
        day: compliance(region=kabupaten, start=day, end=day).received
        for day in (FIRST_DAY + dt.timedelta(days=n) for n in range(9))
    }
    assert max(days, key=days.get) == VOTING_DAY
    # the remote kecamatan report worse than the others
    remote = [k for k in week.children if k.name in REMOTE]
    others = [k for k in week.children if k.name not in REMOTE]

    def rate(nodes):
        return sum(k.received for k in nodes) / sum(k.expected for k in nodes)

    assert rate(remote) < rate(others) - 0.05
