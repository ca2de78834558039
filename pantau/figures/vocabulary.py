"""The words every figure of the desk is said in, below the read models that use them (the
dashboard, the rollups, the periodic report): what is counted for a region (`Stats`), the
situation rule, the severity and situation orders and labels, the start of a WIB day, and the
per-request memo. Nothing here queries the database."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pantau.lib.clock import WIB
from pantau.monitoring.models import Situation
from pantau.problems.models import SEVERITY_ORDER

UNKNOWN = "unknown"
SITUATIONS = (*reversed(Situation.values), UNKNOWN)  # worst first: rawan, waspada, aman
SEVERITIES = SEVERITY_ORDER  # kritis, tinggi, sedang, rendah

# The rule, written once: the code below follows it and the help text on the page quotes it.
SITUATION_RULE = [
    (
        "rawan",
        _(
            "an open problem is critical (kritis), or the latest report of the area or of "
            "any place inside it says rawan"
        ),
    ),
    (
        "waspada",
        _(
            "an open problem is high (tinggi) or past its deadline, or the latest report of "
            "a place inside it says waspada"
        ),
    ),
    ("aman", _("there are reports or open problems, and none of the above")),
    (UNKNOWN, _("no report and no open problem: no data")),
]
# The words of each situation, worst first: the report's choices (monitoring.Situation), and
# "no data" for an area without any.
SITUATION_LABELS = {code: dict(Situation.choices).get(code, _("no data")) for code in SITUATIONS}


@dataclass
class Stats:
    """What is counted for one region (a child, or the whole region)."""

    reports: int = 0
    latest: dict[str, int] = field(default_factory=dict)  # latest report per place: situation
    problems_open: int = 0
    problems_overdue: int = 0
    problems_resolved: int = 0
    resolved_today: int = 0
    by_severity: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SEVERITIES, 0))

    def add(self, other: "Stats") -> None:
        self.reports += other.reports
        for key, n in other.latest.items():
            self.latest[key] = self.latest.get(key, 0) + n
        self.problems_open += other.problems_open
        self.problems_overdue += other.problems_overdue
        self.problems_resolved += other.problems_resolved
        self.resolved_today += other.resolved_today
        for key, n in other.by_severity.items():
            self.by_severity[key] += n

    @property
    def situation(self) -> str:
        return situation(
            open_by_severity=self.by_severity,
            overdue=self.problems_overdue,
            latest=self.latest,
            reports=self.reports,
        )


def situation(
    *, open_by_severity: dict[str, int], overdue: int, latest: dict[str, int], reports: int
) -> str:
    """The situation of an area (see SITUATION_RULE): from its open problems by severity, how
    many of them are overdue, the situations of the latest report of each place inside it
    (situation -> number of places) and how many reports it has in the period."""
    if open_by_severity.get("kritis") or latest.get("rawan"):
        return "rawan"
    if open_by_severity.get("tinggi") or overdue or latest.get("waspada"):
        return "waspada"
    if reports or any(open_by_severity.values()):
        return "aman"
    return UNKNOWN


def start_of_today(now: dt.datetime) -> dt.datetime:
    """The WIB midnight that starts the day of `now`."""
    return timezone.localtime(now, WIB).replace(hour=0, minute=0, second=0, microsecond=0)


def cached(cache: dict, key: tuple, compute: Callable[[], Any]) -> Any:
    """`compute()`, once per `key` in `cache` (a request's: see `Scope.cache`)."""
    if key not in cache:
        cache[key] = compute()
    return cache[key]
