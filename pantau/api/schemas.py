"""The shapes of what goes in and out of the API (ninja schemas, i.e. pydantic models).

Input types are strict about what no storage can hold, so that bad input is a 400 and never a
500: text without NUL characters or lone surrogates, integers that fit a database column, finite
numbers, plausible dates. And exactly as the OpenAPI document says: numbers are JSON numbers
(never `false` or "1.5"), a moment is an ISO 8601 text (never a number read as a Unix time) of
a year the document states, and a body with a field the document does not name is refused
(`additionalProperties: false`).
"""

import datetime as dt
import math
import re
import uuid
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from pantau.accounts.access import ProblemAction
from pantau.lib import limits
from pantau.monitoring.models import Situation
from pantau.problems.models import Level, Severity, Status
from pantau.regions.models import Level as RegionLevel

MAX_ID = 2**63 - 1  # a database id (bigint) fits in this
MAX_PAGE = 100_000
LONG_TEXT = limits.LONG_TEXT  # the same limits on every channel (pantau.lib.limits)


def _text(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("text_nul", "contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise PydanticCustomError("text_unicode", "is not valid Unicode") from None
    return value


def _plausible(moment: dt.datetime) -> dt.datetime:
    # Far outside these years a moment cannot be converted between time zones, and no election
    # report is from then.
    if not 1970 <= moment.year <= 2200:
        raise PydanticCustomError("year_range", "the year must be between 1970 and 2200")
    # Any offset ISO 8601 allows is the same moment in UTC; PostgreSQL takes no offset beyond
    # 15:59, so an aware moment goes on in UTC (a query filter included).
    return moment.astimezone(dt.UTC) if moment.tzinfo is not None else moment


NUMBER = re.compile(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*")
# The years _plausible accepts, stated in the document as a pattern on the text.
YEARS = r"^(19[7-9][0-9]|2[01][0-9][0-9]|2200)-"


def not_a_number(value: Any) -> Any:
    # pydantic reads a number (or a text of one) as a Unix time: ?until=0.5 was 1970-01-01.
    if isinstance(value, bool | int | float) or (
        isinstance(value, str) and NUMBER.fullmatch(value)
    ):
        raise PydanticCustomError("datetime_type", "not an ISO 8601 date and time")
    return value


def Text(max_length: int, min_length: int = 0) -> Any:  # a type factory, hence the capital
    return Annotated[
        str, Field(min_length=min_length, max_length=max_length), AfterValidator(_text)
    ]


Code = Text(64)
RegionCode = Text(32)
Moment = Annotated[
    dt.datetime,
    BeforeValidator(not_a_number),
    AfterValidator(_plausible),
    Field(json_schema_extra={"pattern": YEARS}),
]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]  # in a path or query: a text of digits
BodyId = Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]  # in a body: a JSON integer
Page = Annotated[int, Field(ge=1, le=MAX_PAGE)]
Latitude = Annotated[float, Field(ge=-90, le=90, allow_inf_nan=False, strict=True)]
Longitude = Annotated[float, Field(ge=-180, le=180, allow_inf_nan=False, strict=True)]


class BodyIn(Schema):
    """A request body: a field the document does not name is refused, not ignored."""

    model_config = ConfigDict(extra="forbid")


def _answer(value: Any) -> Any:
    """A checklist answer: yes/no, a number, a choice or text (the checklist checks which)."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        # (an int is compared, never converted: a huge one would not fit a float)
        if (isinstance(value, float) and not math.isfinite(value)) or abs(value) > 10**15:
            raise PydanticCustomError("answer_range", "a number out of range")
        return value
    if isinstance(value, str):
        if len(value) > 2000:
            raise PydanticCustomError(
                "string_too_long", "at most 2000 characters", {"max_length": 2000}
            )
        return _text(value)
    raise PydanticCustomError("answer_type", "not a yes/no, number or text answer")


def _tps(value: Any) -> str:
    """A TPS number, sent as text or as a number."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise PydanticCustomError("tps_type", "not a TPS number")
    if isinstance(value, int) and not 0 <= value <= 999_999:
        raise PydanticCustomError("tps_type", "not a TPS number")
    value = _text(str(value))
    if len(value) > 8:
        raise PydanticCustomError("string_too_long", "at most 8 characters", {"max_length": 8})
    return value


# One validator each, not a union: a union's errors would name its members as fields.
AnswerValue = Annotated[
    Any,
    PlainValidator(_answer),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "boolean"},
                {"type": "number", "minimum": -1e15, "maximum": 1e15},
                {"type": "string", "maxLength": 2000},
                {"type": "null"},
            ]
        }
    ),
]
TpsNumber = Annotated[
    Any,
    PlainValidator(_tps),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "maxLength": 8},
                {"type": "integer", "minimum": 0, "maximum": 999_999},
            ],
            "description": "The TPS number (1 to 999), as text or as a number.",
        }
    ),
]

SituationCode = Literal[tuple(Situation.values)]
SeverityCode = Literal[tuple(Severity.values)]
StatusCode = Literal[tuple(Status.values)]
LevelCode = Literal[tuple(Level.values)]
RegionLevelCode = Literal[tuple(RegionLevel.values)]
ApiAction = Literal[
    ProblemAction.VERIFY.value,
    ProblemAction.START.value,
    ProblemAction.ESCALATE.value,
    ProblemAction.TAKE_OVER.value,
    ProblemAction.REFER.value,
    ProblemAction.WITHDRAW.value,
    ProblemAction.RESOLVE.value,
    ProblemAction.REJECT.value,
    ProblemAction.DUPLICATE.value,
    ProblemAction.REOPEN.value,
    ProblemAction.COMMENT.value,
]


# Pages of a list


class PageOut(Schema):
    count: int = Field(description="How many items match, on all pages.")
    next: str | None = Field(description="The URL of the next page, or null on the last.")


# Authentication


class TokenIn(BodyIn):
    username: Text(150, 1)
    password: Text(1024, 1)
    otp: Text(12) | None = Field(
        None,
        description="The current code of the user's authenticator app: needed (else 403) when "
        "the account uses two-factor login or the deployment requires it for the role.",
    )


class TokenOut(Schema):
    token: str = Field(description="Send it as `Authorization: Bearer <token>`.")
    expires_at: dt.datetime


class MeOut(Schema):
    username: str
    full_name: str
    role: str
    regions: list[str] = Field(description="The codes of the roots of the caller's territory.")
    agency: str | None = Field(description="The code of the caller's agency, if any.")
    level: LevelCode | None = Field(description="The level at which the caller acts on problems.")
    phone: str | None = Field(
        description="The caller's phone number in E.164 (+62812...), for WhatsApp and SMS."
    )
    channels: list[str] = Field(
        description="The message channels the caller has linked (whatsapp, telegram, sms)."
    )


# Regions and the instruction


class RegionOut(Schema):
    code: str
    name: str
    level: RegionLevelCode
    parent: str | None


class RegionList(Schema):
    items: list[RegionOut]
    count: int


class RegionDetail(RegionOut):
    kind: str
    title: str
    centroid: list[float] | None = Field(description="[lat, lon], when known.")
    geometry: dict[str, Any] | None = Field(
        description="The boundary as a GeoJSON geometry, when asked with ?geometry=1."
    )


# The filters of lists, read from the query string. An absent filter is None; the OpenAPI
# document shows no null for them, since a query string cannot send one.


class RegionFilters(Schema):
    parent: RegionCode = None
    level: RegionLevelCode = None


class PersonOut(Schema):
    username: str | None
    full_name: str | None
    position: str


OPERATION_FILTER = "An operation code: only its items (GET /stages names them)."


class ClusterOut(Schema):
    id: int
    code: str
    operation: str
    name: str
    coordinator: PersonOut
    kecamatan: list[str]


class ClusterList(Schema):
    items: list[ClusterOut]
    count: int


class ClusterFilters(Schema):
    operation: Code = Field(None, description=OPERATION_FILTER)


class CategoryOut(Schema):
    code: str
    name: str


class CategoryList(Schema):
    items: list[CategoryOut]


class AgencyOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str


class AgencyList(Schema):
    items: list[AgencyOut]


class StageOut(Schema):
    code: str
    operation: str = Field(description="The code of the stage's operation.")
    name: str
    starts_on: dt.date
    ends_on: dt.date


class StageList(Schema):
    items: list[StageOut]


class StageFilters(Schema):
    operation: Code = Field(None, description=OPERATION_FILTER)


class ChecklistOut(Schema):
    code: str
    operation: str
    stage: str
    name: str
    questions: list[dict[str, Any]]


class ChecklistList(Schema):
    items: list[ChecklistOut]


class ChecklistFilters(Schema):
    stage: Code = None
    operation: Code = Field(None, description=OPERATION_FILTER)


# Field reports


class ReportIn(BodyIn):
    client_id: uuid.UUID = Field(description="Made by the sending device; a resend is 200.")
    region: RegionCode = Field(description="The code of a kecamatan, village or TPS.")
    observed_at: Moment = Field(description="ISO 8601; without a time zone it is WIB.")
    status: SituationCode = Field(description="The situation: aman, waspada or rawan.")
    operation: Code | None = Field(
        None,
        description="An operation code; by default the one whose territory and dates hold "
        "region and observed_at (400 operation_required when several do).",
    )
    stage: Code | None = Field(None, description="A stage code; by default from observed_at.")
    checklist: Code | None = Field(None, description="A checklist code of the stage.")
    tps: TpsNumber | None = None
    narrative: Text(LONG_TEXT) = ""
    answers: dict[Code, AnswerValue] | None = Field(
        None, max_length=500, description="Answers to the checklist, by question code."
    )
    lat: Latitude | None = None
    lon: Longitude | None = None


class PhotoOut(Schema):
    id: int
    status: str = Field(description="pending (being processed), ready or failed.")


class ReportOut(Schema):
    id: int
    client_id: uuid.UUID
    region: str
    region_name: str
    tps: str
    operation: str
    stage: str | None
    checklist: str | None
    status: SituationCode
    situation: SituationCode = Field(description="The same as status.")
    observed_at: dt.datetime
    received_at: dt.datetime
    channel: str
    author: str
    narrative: str
    answers: dict[str, Any]
    checklist_complete: bool = Field(
        description="False while a report sent by message still waits for required answers."
    )
    lat: float | None
    lon: float | None
    location_flagged: bool
    photos: list[PhotoOut]


class ReportPage(PageOut):
    items: list[ReportOut]


class ReportFilters(Schema):
    region: RegionCode = Field(None, description="A region code: that region and below.")
    since: Moment = Field(None, description="Observed at or after (ISO 8601).")
    until: Moment = Field(None, description="Observed before (ISO 8601).")
    status: SituationCode = None
    operation: Code = Field(None, description=OPERATION_FILTER)
    page: Page = 1


# Problems


class ProblemIn(BodyIn):
    client_id: uuid.UUID = Field(description="Made by the sending device; a resend is 200.")
    region: RegionCode
    title: Text(limits.TITLE, 1)
    description: Text(LONG_TEXT) = ""
    category: Code = Field(description="A category code (GET /categories).")
    severity: SeverityCode
    operation: Code | None = Field(
        None, description="An operation code; by default the one holding region now."
    )
    stage: Code | None = None
    suggestion: Text(LONG_TEXT) = ""
    report: BodyId | None = Field(None, description="The id of the source report.")
    tps: TpsNumber | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None


class EventOut(Schema):
    at: dt.datetime
    actor: str | None
    kind: str
    from_status: str
    to_status: str
    from_level: str
    to_level: str
    note: str
    agency: str | None


class ReferralOut(Schema):
    agency: str
    agency_name: str
    referred_by: str
    referred_at: dt.datetime
    note: str
    answer: str
    answered_by: str | None
    answered_at: dt.datetime | None


class ProblemOut(Schema):
    id: int
    client_id: uuid.UUID
    title: str
    description: str
    category: str
    severity: SeverityCode
    region: str
    region_name: str
    tps: str
    operation: str
    stage: str | None
    report: int | None
    reporter: str
    suggestion: str
    solution: str
    status: StatusCode
    level: LevelCode
    owner: str | None
    due_at: dt.datetime | None = Field(description="The deadline that matters now.")
    overdue: bool
    acknowledge_due_at: dt.datetime
    resolve_due_at: dt.datetime
    duplicate_of: int | None
    version: int = Field(description="Send it back as `version` with an action.")
    created_at: dt.datetime
    updated_at: dt.datetime
    resolved_at: dt.datetime | None
    lat: float | None
    lon: float | None


class EscalationOut(Schema):
    level: LevelCode
    owner: str | None = Field(description="The username of the receiver (None: nobody).")
    name: str = Field(description="The receiver as named on the button.")


class ProblemDetail(ProblemOut):
    events: list[EventOut]
    referrals: list[ReferralOut]
    actions: list[str] = Field(description="The actions the caller may take now.")
    escalate: EscalationOut | None = Field(
        None, description="Whom the caller's `escalate` would reach; null if they may not."
    )


class ProblemPage(PageOut):
    items: list[ProblemOut]


class ProblemFilters(Schema):
    status: Literal["open", *Status.values] = Field(
        None, description='A status, or "open" for every open one.'
    )
    level: LevelCode = None
    severity: SeverityCode = None
    category: Code = None
    region: RegionCode = Field(None, description="A region code: that region and below.")
    overdue: bool = None
    operation: Code = Field(None, description=OPERATION_FILTER)
    page: Page = 1


class ActionIn(BodyIn):
    action: ApiAction
    note: Text(LONG_TEXT) = ""
    solution: Text(LONG_TEXT) = ""
    suggestion: Text(LONG_TEXT) = ""
    agency: Code | None = Field(None, description="An agency code, for refer and withdraw.")
    duplicate_of: BodyId | None = Field(None, description="The problem this one duplicates.")
    version: Annotated[int, Field(ge=1, le=2**31 - 1, strict=True)] | None = Field(
        None, description="The version you saw: if someone acted since, 409 stale."
    )
