"""The matching of expected slots and received reports, on its own (no database): what the
module's rules say, case by case."""

import datetime as dt

from pantau.compliance.selectors import LATE, MISSING, ON_TIME, Slot, Unit, match
from pantau.lib.clock import WIB

DAY = dt.date(2024, 11, 27)
CAMAT = Unit(1, "camat-tongas", "Camat Tongas", "35.13.23", "Tongas")
GRACE = dt.timedelta(minutes=30)


def at(hhmm: str, day: dt.date = DAY) -> dt.datetime:
    hours, minutes = map(int, hhmm.split(":"))
    return dt.datetime.combine(day, dt.time(hours, minutes), tzinfo=WIB)


def slots(*deadlines: str, now: str = "23:59") -> list[Slot]:
    found = [Slot(unit=CAMAT, due_at=at(d), grace=GRACE, rules=[]) for d in deadlines]
    for slot in found:
        slot.expected = slot.closes_at <= at(now)
    return found


def statuses(found: list[Slot]) -> list[str]:
    return [s.status for s in found]


def test_a_report_before_the_deadline_is_on_time():
    found = slots("07:00")
    match(found, {CAMAT.user_id: [("35.13.23.2001", at("06:40"))]})
    assert statuses(found) == [ON_TIME] and found[0].received_at == at("06:40")


def test_within_the_grace_is_on_time_after_it_late():
    found = slots("07:00", "12:00")
    match(found, {CAMAT.user_id: [("35.13.23", at("07:20")), ("35.13.23", at("12:45"))]})
    assert statuses(found) == [ON_TIME, LATE]


def test_a_report_after_a_missed_deadline_counts_for_the_next_one():
    found = slots("07:00", "10:00")
    match(found, {CAMAT.user_id: [("35.13.23", at("09:00"))]})
    assert statuses(found) == [MISSING, ON_TIME]


def test_each_report_fills_one_slot_and_only_the_units_own():
    found = slots("07:00", "10:00")
    match(
        found,
        {CAMAT.user_id: [("35.13.01", at("06:00")), ("35.13.23", at("06:30"))]},  # Sukapura
    )
    assert statuses(found) == [ON_TIME, MISSING]


def test_a_report_of_another_day_does_not_count():
    found = slots("07:00")
    match(found, {CAMAT.user_id: [("35.13.23", at("06:30", DAY - dt.timedelta(days=1)))]})
    assert statuses(found) == [MISSING]


def test_a_slot_still_to_come_takes_its_early_report_not_the_missed_one():
    found = slots("07:00", "18:00", now="12:00")
    assert [s.expected for s in found] == [True, False]
    match(found, {CAMAT.user_id: [("35.13.23", at("08:00"))]})
    assert statuses(found) == [MISSING, ON_TIME]


def test_a_report_after_every_deadline_is_late_for_the_last_one_missed():
    found = slots("07:00", "10:00")
    match(found, {CAMAT.user_id: [("35.13.23", at("11:00"))]})
    assert statuses(found) == [MISSING, LATE]
