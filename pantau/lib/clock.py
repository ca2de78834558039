"""Time in WIB for people, UTC for storage."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

WIB = ZoneInfo("Asia/Jakarta")


def local_date(moment: dt.datetime) -> dt.date:
    """The calendar date in WIB of an aware moment (stages and deadlines are WIB dates)."""
    return timezone.localtime(moment, WIB).date()


def aware(moment: dt.datetime) -> dt.datetime:
    """A naive time from the field is WIB; an aware one is the same moment in UTC (an offset
    ISO 8601 allows, such as -23:13, is beyond what PostgreSQL takes: never pass it on)."""
    if timezone.is_aware(moment):
        return moment.astimezone(dt.UTC)
    return moment.replace(tzinfo=WIB)
