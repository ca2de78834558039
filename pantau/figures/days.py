"""Which day a desk page opens on. Inside the operation's stages: today. Outside them (the
operation has not started, or is over, as the demo's Pilkada 2024 is): the operation's latest
day with data (a field report observed or a problem reported from its first stage up to now:
a problem reported today, even after the stages, keeps the page on today), and the page says
so when that is not today. A page asked for an explicit day never comes here."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Max

from pantau.instruction.models import Operation
from pantau.lib.clock import WIB, local_date
from pantau.monitoring.models import Report
from pantau.problems.models import Problem


@dataclass(frozen=True)
class OpeningDay:
    day: dt.date
    moved: bool  # today is outside the operation's stages: `day` is its latest day with data

    def end(self) -> dt.datetime:
        """The moment that closes `day` (WIB midnight after it): "as it stood that day"."""
        return dt.datetime.combine(self.day + dt.timedelta(days=1), dt.time.min, tzinfo=WIB)


def opening_day(operation: Operation | None, now: dt.datetime) -> OpeningDay:
    today = local_date(now)
    if operation is None:
        return OpeningDay(today, False)
    stages = list(operation.stages.filter(is_active=True).values_list("starts_on", "ends_on"))
    if not stages or any(start <= today <= end for start, end in stages):
        return OpeningDay(today, False)
    first = dt.datetime.combine(min(s for s, _e in stages), dt.time.min, tzinfo=WIB)
    until = now  # data after the stages counts too: a problem reported today is shown today
    moments = [
        Report.objects.filter(
            operation=operation, observed_at__gte=first, observed_at__lt=until
        ).aggregate(m=Max("observed_at"))["m"],
        Problem.objects.filter(
            operation=operation, created_at__gte=first, created_at__lt=until
        ).aggregate(m=Max("created_at"))["m"],
    ]
    found = [local_date(m) for m in moments if m is not None]
    if not found or max(found) == today:
        return OpeningDay(today, False)
    return OpeningDay(max(found), True)
