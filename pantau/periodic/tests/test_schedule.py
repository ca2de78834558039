import datetime as dt

from pantau.instruction.models import Operation, PeriodicSchedule, Stage
from pantau.lib.clock import WIB
from pantau.periodic.models import PeriodicReport
from pantau.periodic.schedule import request_due_reports


def test_it_requests_each_scheduled_report_once_a_day(db):
    operation = Operation.objects.get(status="active")
    stage = Stage.objects.filter(operation=operation).order_by("starts_on").first()
    PeriodicSchedule.objects.filter(operation=operation).delete()
    PeriodicSchedule.objects.create(
        operation=operation, code="klaster", name="Harian", scope="cluster", time="18:00",
        stage=stage, formats=["pdf"],
    )  # fmt: skip
    day = stage.starts_on
    before = dt.datetime.combine(day, dt.time(17, 59), tzinfo=WIB)
    assert request_due_reports(before) == []
    at = dt.datetime.combine(day, dt.time(18, 0), tzinfo=WIB)
    made = request_due_reports(at)
    assert len(made) == operation.clusters.count() == 3
    assert {r.scope for r in made} == {"cluster"}
    assert {(r.period_start, r.period_end) for r in made} == {(day, day)}
    assert request_due_reports(at + dt.timedelta(minutes=1)) == []
    outside = dt.datetime.combine(stage.ends_on + dt.timedelta(days=400), dt.time(19), tzinfo=WIB)
    assert request_due_reports(outside) == []
    assert PeriodicReport.objects.count() == 3
