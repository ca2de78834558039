"""Deadlines by severity: a problem past its deadline is marked overdue and escalated one level
automatically, once per deadline, by the periodic job (driven here with a controllable clock)."""

import datetime as dt

import pytest
import time_machine

from pantau.notify.models import Notification
from pantau.problems.models import Problem
from pantau.problems.tasks import escalate_overdue_problems

pytestmark = pytest.mark.django_db
START = dt.datetime(2024, 11, 27, 1, 0, tzinfo=dt.UTC)  # 08:00 WIB on voting day


def run_job():
    # call the periodic task's function as the consumer would
    return escalate_overdue_problems.call_local()


def test_a_critical_problem_not_verified_within_an_hour_goes_up_once(
    new_problem, act, django_capture_on_commit_callbacks
):
    with time_machine.travel(START, tick=False):
        problem = new_problem(username="camat-tongas", region="35.13.23", severity="kritis")
    assert problem.acknowledge_due_at == START + dt.timedelta(hours=1)
    assert problem.resolve_due_at == START + dt.timedelta(hours=6)

    with time_machine.travel(START + dt.timedelta(minutes=59), tick=False):
        assert run_job() == 0
    with (
        time_machine.travel(START + dt.timedelta(minutes=61), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert Problem.objects.get(pk=problem.pk).is_overdue()
        assert run_job() == 1
        assert run_job() == 0  # once per deadline
    problem.refresh_from_db()
    assert (problem.level, problem.owner.username) == ("koordinator", "asisten-pemkesra")
    assert problem.events.last().kind == "overdue" and problem.events.last().actor is None
    assert Notification.objects.filter(user__username="asisten-pemkesra", event="overdue").exists()

    # verified late, then the resolution deadline passes too: one more level, once
    with time_machine.travel(START + dt.timedelta(hours=2), tick=False):
        act(problem, "asisten-pemkesra", "verify")
    with time_machine.travel(START + dt.timedelta(hours=6, minutes=1), tick=False):
        assert run_job() == 1
        assert run_job() == 0
    problem.refresh_from_db()
    assert problem.level == "kabupaten" and problem.owner.username == "bupati"
    with time_machine.travel(START + dt.timedelta(days=3), tick=False):
        assert run_job() == 0
    assert problem.events.filter(kind="overdue").count() == 2


def test_deadlines_come_from_the_instruction(new_problem, users):
    operation = users["bupati"].position.operation
    operation.deadlines = {"rendah": {"acknowledge": 2, "resolve": 10}}
    operation.save()
    with time_machine.travel(START, tick=False):
        problem = new_problem(severity="rendah")
        default = new_problem(severity="sedang")
    assert problem.acknowledge_due_at == START + dt.timedelta(hours=2)
    assert problem.resolve_due_at == START + dt.timedelta(hours=10)
    assert default.resolve_due_at == START + dt.timedelta(hours=72)


def test_a_solved_problem_is_never_escalated(new_problem, act):
    with time_machine.travel(START, tick=False):
        problem = new_problem(username="camat-tongas", region="35.13.23", severity="kritis")
        for step in ("verify", "start"):
            act(problem, "camat-tongas", step)
        act(problem, "camat-tongas", "resolve", solution="Selesai di tempat")
    with time_machine.travel(START + dt.timedelta(days=2), tick=False):
        assert run_job() == 0
    assert Problem.objects.get(pk=problem.pk).level == "kecamatan"


def test_the_job_is_registered_every_minute_on_the_queue():
    from huey.contrib.djhuey import HUEY

    for minute in (0, 17, 59):  # due at every minute the scheduler looks
        due = HUEY.read_periodic(dt.datetime(2024, 11, 27, 8, minute))
        assert "escalate_overdue_problems" in {task.name for task in due}
