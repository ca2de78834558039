"""The every-minute reminder: 30 minutes before a voting-day deadline, to each camat who has not
reported in that slot yet, once."""

import datetime as dt

import pytest
import time_machine

from pantau.compliance.models import Reminder
from pantau.compliance.tasks import remind_reporters
from pantau.compliance.tests.conftest import kecamatan, send, wib
from pantau.notify.models import Notification

pytestmark = pytest.mark.django_db


def reminders(username):
    return list(Notification.objects.filter(user__username=username, event="reminder"))


def test_it_reminds_once_per_slot_and_not_who_already_reported(
    users, django_capture_on_commit_callbacks
):
    send(users["camat-leces"], kecamatan("Leces"), wib("09:20"))  # for 10:00, already
    with time_machine.travel(wib("09:29"), tick=False):
        assert remind_reporters.call_local() == 0  # 10:00 - 30 min is not yet
    with (
        time_machine.travel(wib("09:35"), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert remind_reporters.call_local() == 23  # every camat but Leces
    assert reminders("camat-leces") == []
    (note,) = reminders("camat-tegalsiwalan")
    teg = kecamatan("Tegalsiwalan")
    assert note.url == f"/laporan/baru/?region={teg.code}"
    assert "10:00" in note.title
    reminder = Reminder.objects.get(user=users["camat-tegalsiwalan"])
    assert reminder.due_at == wib("10:00") and reminder.region == teg
    # a minute later: nothing new, the slot was reminded
    with time_machine.travel(wib("09:36"), tick=False):
        assert remind_reporters.call_local() == 0
    assert len(reminders("camat-tegalsiwalan")) == 1
    # the 07:00 deadline has passed: no reminder for it, even at 09:59
    with time_machine.travel(wib("09:59"), tick=False):
        assert remind_reporters.call_local() == 0
    # at 10:00 the deadline is here: too late to remind (the 13:00 one comes at 12:30)
    with time_machine.travel(wib("10:10"), tick=False):
        assert remind_reporters.call_local() == 0
    with time_machine.travel(wib("12:30"), tick=False):
        assert remind_reporters.call_local() == 24
    assert len(reminders("camat-tegalsiwalan")) == 2


def test_a_report_in_the_slot_stops_the_reminder(users):
    teg = kecamatan("Tegalsiwalan")
    send(users["camat-tegalsiwalan"], teg, wib("12:35"))
    with time_machine.travel(wib("12:40"), tick=False):
        assert remind_reporters.call_local() == 23
    assert reminders("camat-tegalsiwalan") == []


def test_rules_without_a_reminder_remind_nobody(users):
    # the Kepala OPD's campaign rule (17:00) has no reminder; the camat's (16:00, 60 before) has
    day = dt.date(2024, 11, 20)
    with time_machine.travel(wib("16:40", day), tick=False):
        assert remind_reporters.call_local() == 0
    with time_machine.travel(wib("15:30", day), tick=False):
        assert remind_reporters.call_local() == 24
    assert not Notification.objects.filter(user__role="opd", event="reminder").exists()
