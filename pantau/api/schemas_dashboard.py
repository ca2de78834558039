"""The shapes of the dashboard endpoints (GET /dashboard, GET /map.geojson)."""

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from pantau.api.schemas import Code, Moment, RegionCode, RegionLevelCode
from pantau.regions.models import NATION_CODE, NATIONAL
from pantau.regions.models import Level as RegionLevel

SituationOrUnknown = Literal["rawan", "waspada", "aman", "unknown"]
# The region of a dashboard may be the nation (above the provinces); its children never are.
DashboardLevelCode = Literal[(NATIONAL, *RegionLevel.values)]


class DashboardFilters(Schema):
    region: RegionCode = Field(
        None,
        description=f"A region code, or {NATION_CODE} for the whole country (only for a caller "
        "whose territory is everything: an administrator); by default the caller's top region.",
    )
    since: Moment = Field(None, description="From (ISO 8601).")
    until: Moment = Field(None, description="Before (ISO 8601).")
    stage: Code = Field(None, description="A stage code.")
    category: Code = Field(None, description="A problem category code.")
    operation: Code = Field(
        None,
        description="A monitoring operation's code (GET /stages names them): its figures only. "
        "By default, where several operations cover the region, the current one (whose stages "
        "hold the day asked, `since`, or else today; otherwise the nearest in time), as the "
        "dashboard page chooses; an unknown code, or one not covering the region, is 400.",
    )


class DashboardRegion(Schema):
    code: str
    name: str
    level: DashboardLevelCode
    title: str


class Totals(Schema):
    reports: int = Field(description="Reports observed in the period.")
    problems_open: int = Field(description="Open now, reported before the end of the period.")
    problems_overdue: int = Field(description="Of those, past their deadline.")
    problems_resolved: int = Field(description="Solved in the period.")


class BySeverity(Schema):
    kritis: int
    tinggi: int
    sedang: int
    rendah: int


class DashboardChild(Schema):
    code: str
    name: str
    level: RegionLevelCode
    situation: SituationOrUnknown
    reports: int
    problems_open: int
    problems_overdue: int
    problems_resolved: int
    resolved_today: int
    by_severity: BySeverity
    reporting_rate: float | None = Field(description="0..1; null while not known.")


class DashboardOut(Schema):
    region: DashboardRegion
    operation: str | None = Field(
        description="The code of the operation shown (null when no operation covers the "
        "region, and for the nation, which sums every operation)."
    )
    since: dt.datetime | None
    until: dt.datetime | None
    situation: SituationOrUnknown = Field(
        description="rawan: an open kritis problem or a latest report rawan; waspada: an open "
        "tinggi or overdue problem or a latest report waspada; aman: any report or open "
        "problem; unknown: no data."
    )
    reporting_rate: float | None
    totals: Totals
    by_severity: BySeverity = Field(description="Open problems by severity.")
    by_category: dict[str, int] = Field(description="Open problems by category code.")
    children: list[DashboardChild] = Field(
        description="The region's child regions in the caller's territory."
    )


class FeatureProperties(Schema):
    code: str
    name: str
    level: RegionLevelCode
    situation: SituationOrUnknown
    problems_open: int
    problems_overdue: int
    reporting_rate: float | None


class Feature(Schema):
    type: Literal["Feature"]
    id: str
    geometry: dict[str, Any] | None
    properties: FeatureProperties


class Marker(Schema):
    kind: Literal["report", "problem"]
    id: int
    lat: float
    lon: float
    situation: str | None
    severity: str | None
    title: str
    url: str


class MapOut(Schema):
    type: Literal["FeatureCollection"]
    region: DashboardRegion
    situation: SituationOrUnknown
    outline: dict[str, Any] | None = Field(description="The region's own boundary, if known.")
    features: list[Feature] = Field(description="The children, with their figures.")
    markers: list[Marker] = Field(description="Located reports and open problems.")
