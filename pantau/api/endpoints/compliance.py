"""Reporting compliance: GET /compliance (the numbers of the /kepatuhan/ page)."""

import datetime as dt
from typing import Annotated

from django.http import QueryDict
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from pantau.api.errors import errors
from pantau.api.schemas import Code, RegionCode
from pantau.compliance import selectors
from pantau.figures import desk
from pantau.lib.clock import WIB
from pantau.lib.dbrouter import replica_reads

router = Router(tags=["compliance"])

MISSING_LIMIT = 50  # missing reports listed per node by default
MISSING_MAX = 1000  # and at most (the CSV of /kepatuhan/ has them all)


def _plausible_day(day: dt.date) -> dt.date:
    if not 1970 <= day.year <= 2200:
        raise PydanticCustomError("year_range", "the year must be between 1970 and 2200")
    return day


Day = Annotated[dt.date, AfterValidator(_plausible_day)]


class ComplianceFilters(Schema):
    date: Day = Field(None, description="One day (YYYY-MM-DD, WIB); default today.")
    since: Day = Field(None, description="First day of a range (YYYY-MM-DD, WIB).")
    until: Day = Field(
        None, description=f"Last day of a range, at most {selectors.MAX_DAYS} days long."
    )
    region: RegionCode = Field(
        None, description="A region code of your territory; default: your whole territory."
    )
    limit: int = Field(
        MISSING_LIMIT,
        ge=0,
        le=MISSING_MAX,
        description=f"How many missing reports to list per node (at most {MISSING_MAX}).",
    )
    offset: int = Field(0, ge=0, description="How many missing reports to skip per node.")
    operation: Code = Field(
        None,
        description="A monitoring operation's code (GET /stages names them): its reporting "
        "schedule only. By default, where several operations cover the region, the current one "
        "(whose stages hold the day asked, or else today; otherwise the nearest in time), as "
        "the /kepatuhan/ page chooses; an unknown code, or one not covering the region, is 400.",
    )


class MissingOut(Schema):
    username: str
    full_name: str
    region: str = Field(description="The code of the region the report is owed for.")
    region_name: str
    due_at: dt.datetime = Field(description="The deadline (WIB), without the grace period.")


class ComplianceCounts(Schema):
    region: str = Field(
        description="Region code; a cluster's code for level cluster, empty for territory."
    )
    name: str
    level: str = Field(description="kabupaten, kecamatan, desa, cluster or territory")
    expected: int
    received: int = Field(description="Received, on time or late.")
    on_time: int
    reporting_rate: float | None = Field(description="received / expected; null if none.")
    on_time_rate: float | None = Field(description="on_time / expected; null if none.")
    missing_total: int = Field(description="How many reports are missing in all.")
    missing: list[MissingOut] = Field(
        description="The missing reports in deadline order, `limit` of them from `offset`."
    )


class ComplianceOut(ComplianceCounts):
    since: dt.date
    until: dt.date
    operation: str | None = Field(
        description="The code of the operation whose schedule is counted (null when none)."
    )
    children: list[ComplianceCounts] = Field(description="Per kecamatan.")


def _counts(node: selectors.Compliance, *, limit: int, offset: int) -> dict:
    return {
        "region": node.region,
        "name": node.name,
        "level": node.level,
        "expected": node.expected,
        "received": node.received,
        "on_time": node.on_time,
        "reporting_rate": node.reporting_rate,
        "on_time_rate": node.on_time_rate,
        "missing_total": len(node.missing),
        "missing": [
            {
                "username": m.username,
                "full_name": m.full_name,
                "region": m.region,
                "region_name": m.region_name,
                "due_at": m.due_at.astimezone(WIB),
            }
            for m in node.missing[offset : offset + limit]
        ],
    }


@router.get("/compliance", response={200: ComplianceOut, **errors(400, 401, 404)})
@replica_reads()
def compliance(request, filters: Query[ComplianceFilters]):
    """Reporting compliance for one day (`date`) or a range (`since`..`until`) and a region of
    the caller's territory (404 outside it): expected, received and on-time reports, the rates,
    a child per kecamatan and who has not reported. The counting rule is the one of the
    /kepatuhan/ page: a slot per person, region and deadline of the instruction's reporting
    schedule, filled by that person's report received by the deadline plus the grace period
    (on time) or later the same day (late). Each node lists at most `limit` missing reports
    (50 by default) from `offset`, in deadline order, and says how many there are in all
    (`missing_total`)."""
    start, end = selectors.period(date=filters.date, since=filters.since, until=filters.until)
    code = filters.region or None
    asked = QueryDict(mutable=True)
    if filters.operation:
        asked["operation"] = filters.operation
    day = filters.date or filters.since or filters.until
    choice = selectors.choice_for(request.auth, code, desk.shown(day, timezone.now()), asked)
    node, _scope = selectors.compliance_for(
        request.auth,
        start=start,
        end=end,
        code=code,
        operation=choice.filter,
        scope=selectors.scope_for(request.auth, code, choice.filter),
    )
    page = {"limit": filters.limit, "offset": filters.offset}
    return {
        **_counts(node, **page),
        "since": start,
        "until": end,
        "operation": choice.chosen.code if choice.chosen else None,
        "children": [_counts(child, **page) for child in node.children],
    }
