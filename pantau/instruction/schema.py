"""The shape of an instruction file, checked by pydantic before anything is applied."""

import datetime as dt
import re
import string
from typing import Literal

from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

CODE = r"^[a-z0-9][a-z0-9-]*$"
USERNAME = r"^[A-Za-z0-9@.+_-]+$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class InstructionDoc(Strict):
    title: str = ""
    number: str = ""
    signed_on: dt.date | None = None
    signed_by: str = ""


class TerritoryDoc(Strict):
    """A kecamatan the operation covers: all of it, or only the villages listed."""

    kecamatan: str = Field(description="code (35.13.01) or name (Sukapura)")
    villages: list[str] = Field([], description="codes or names; empty: every village")

    @field_validator("kecamatan", mode="before")
    @classmethod
    def _as_text(cls, value):
        return str(value) if isinstance(value, int | float) else value

    @field_validator("villages", mode="before")
    @classmethod
    def _names_as_text(cls, value):
        return [str(v) for v in value] if isinstance(value, list) else value


class OperationDoc(Strict):
    code: str = Field(pattern=CODE, max_length=64)
    name: str = Field(min_length=1, max_length=300)
    region: str = Field(description="Kemendagri code of the kabupaten/kota, e.g. 35.13")
    instruction: InstructionDoc = InstructionDoc()
    notes: str = ""
    territory: list[TerritoryDoc] = Field(
        [], description="the kecamatan (and villages) covered; empty: the whole region"
    )

    @field_validator("region", mode="before")
    @classmethod
    def _region_as_text(cls, value):
        # an unquoted 35.13 in YAML is a float; the code is text
        return str(value) if isinstance(value, int | float) else value


class ElectionDoc(Strict):
    code: str = Field(pattern=CODE, max_length=64)
    name: str = Field(min_length=1, max_length=300)
    kind: Literal["governor", "regent", "mayor", "village_head", "other"]
    voting_day: dt.date


class StageDoc(Strict):
    code: str = Field(pattern=CODE, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    starts_on: dt.date
    ends_on: dt.date

    @model_validator(mode="after")
    def _ordered(self):
        if self.ends_on < self.starts_on:
            raise ValueError(_("ends_on is before starts_on"))
        return self


class AgencyDoc(Strict):
    code: str = Field(pattern=CODE, max_length=64)
    name: str = Field(min_length=1, max_length=300)
    short_name: str = ""
    kind: Literal["opd", "external"]


class PositionDoc(Strict):
    code: str = Field(pattern=CODE, max_length=64)
    title: str = Field(min_length=1, max_length=300)
    role: Literal["bupati", "coordinator", "opd", "agency", "monitor"]
    agency: str | None = None


class ClusterDoc(Strict):
    code: str = Field(pattern=CODE, max_length=64)
    name: str = Field(min_length=1, max_length=300)
    coordinator: str
    kecamatan: list[str] = Field(min_length=1)

    @field_validator("kecamatan", mode="before")
    @classmethod
    def _names_as_text(cls, value):
        return [str(v) for v in value] if isinstance(value, list) else value


class PersonRef(Strict):
    username: str = Field(pattern=USERNAME, max_length=150)
    name: str = Field(min_length=1, max_length=200)
    email: str = ""
    phone: str = ""
    # for the signature block of the letters they sign; not given: kept from the profile
    pangkat: str = Field(default="", max_length=100)
    nip: str = ""

    @field_validator("nip", mode="before")
    @classmethod
    def _nip(cls, value):
        from django.core.exceptions import ValidationError

        from pantau.lib.nip import normalize_nip

        try:
            return normalize_nip(str(value))
        except ValidationError as exc:
            raise ValueError(exc.messages[0]) from None

    @field_validator("phone", mode="before")
    @classmethod
    def _e164(cls, value):
        from django.core.exceptions import ValidationError

        from pantau.lib.phones import normalize

        try:
            return normalize(str(value) if isinstance(value, int) else value)
        except ValidationError as exc:
            raise ValueError(exc.messages[0]) from None


class KecamatanDoc(Strict):
    kecamatan: str = Field(description="code (35.13.01) or name (Sukapura)")
    camat: PersonRef | None = None
    opd: list[str] = []

    @field_validator("kecamatan", mode="before")
    @classmethod
    def _as_text(cls, value):
        return str(value) if isinstance(value, int | float) else value


class PersonDoc(PersonRef):
    position: str | None = None
    role: Literal["village", "monitor", "agency", "admin"] | None = None
    agency: str | None = None
    regions: list[str] = []

    @model_validator(mode="after")
    def _position_or_role(self):
        if not self.position and not self.role:
            raise ValueError(_("give a position, or a role (village, monitor, agency, admin)"))
        return self


class CategoryDoc(Strict):
    code: str = Field(pattern=CODE, max_length=64)
    name: str = Field(min_length=1, max_length=200)


class DeadlineDoc(Strict):
    acknowledge: float = Field(gt=0, description="hours to verify")
    resolve: float = Field(gt=0, description="hours to resolve")


class DeadlinesDoc(Strict):
    kritis: DeadlineDoc | None = None
    tinggi: DeadlineDoc | None = None
    sedang: DeadlineDoc | None = None
    rendah: DeadlineDoc | None = None


QUESTION_CODE = r"^[a-z][a-z0-9_]*$"


class QuestionDoc(Strict):
    code: str = Field(pattern=QUESTION_CODE, max_length=64)
    text: str = Field(min_length=1, max_length=500)
    type: Literal["yes_no", "choice", "number", "text"]
    choices: list[str] = []
    required: bool = False

    @model_validator(mode="after")
    def _choices(self):
        if self.type == "choice" and len(self.choices) < 2:
            raise ValueError(_("a question of type choice needs at least two choices"))
        if self.type != "choice" and self.choices:
            raise ValueError(_("only a question of type choice has choices"))
        return self


class ChecklistDoc(Strict):
    code: str = Field(pattern=CODE, max_length=64)
    stage: str
    name: str = Field(min_length=1, max_length=200)
    questions: list[QuestionDoc] = Field(min_length=1)


HHMM = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$")


def _hhmm(value):
    # YAML reads an unquoted 16:00 as text, but 07:00 may come as the integer 420 (sexagesimal
    # in YAML 1.1): take it back to HH:MM.
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        value = f"{value // 60:02d}:{value % 60:02d}"
    if not isinstance(value, str) or not HHMM.match(value.strip()):
        raise ValueError(_("must be a time of day written as HH:MM (00:00 to 23:59), WIB"))
    return value.strip()


class ReportingDoc(Strict):
    """One reporting rule: who reports, on which stage's days, before which times (WIB)."""

    code: str = Field(pattern=CODE, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    role: Literal["camat", "opd", "coordinator", "village", "monitor"]
    stage: str | None = None
    times: list[str] = Field(min_length=1)
    grace_minutes: int = Field(default=0, ge=0, le=24 * 60)
    remind_minutes_before: int | None = Field(default=None, ge=1, le=24 * 60)

    @field_validator("times", mode="before")
    @classmethod
    def _times(cls, value):
        if not isinstance(value, list):
            value = [value]
        times = [_hhmm(v) for v in value]
        if len(set(times)) != len(times):
            raise ValueError(_("a time is listed twice"))
        return sorted(times)


class PeriodicReportDoc(Strict):
    """A periodic report produced every day at `time` (WIB)."""

    code: str = Field(pattern=CODE, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    scope: Literal["kecamatan", "cluster", "kabupaten"]
    time: str
    stage: str | None = None
    formats: list[Literal["pdf", "docx", "xlsx"]] = Field(default=["pdf"], min_length=1)

    @field_validator("time", mode="before")
    @classmethod
    def _time(cls, value):
        return _hhmm(value)


# Who is told of what happens to a problem, and whose "waiting for you" list a new one enters.
ROUTING_EVENTS = (
    "create",
    "escalate",
    "take_over",
    "refer",
    "withdraw",
    "answer",
    "overdue",
    "resolve",
    "reject",
    "reopen",
)
RECIPIENTS = (
    "owner",  # the problem's owner after the act
    "previous_owner",  # its owner before the act (an escalation, an overdue problem)
    "reporter",
    "camat",  # the seats of the problem's region: its camat, its cluster's Asisten, Pj Bupati
    "coordinator",
    "bupati",
    "level_above",  # whoever holds the seat one level above the problem's
    "agency",  # the accounts of the agency referred to (its Kepala OPD and staff)
)
LIST_SEATS = ("owner", "camat", "coordinator", "bupati")


class RouteDoc(Strict):
    """One rule: tell `to` when the problem's level and severity match (empty: any)."""

    to: list[Literal[RECIPIENTS]] = Field(min_length=1)
    levels: list[Literal["desa", "kecamatan", "koordinator", "kabupaten"]] = []
    severity: list[Literal["rendah", "sedang", "tinggi", "kritis"]] = []
    waiting: bool = Field(
        default=False, description="create only: the problem also enters their list to verify"
    )

    @field_validator("to", "levels", "severity", mode="before")
    @classmethod
    def _one_or_many(cls, value):
        return [value] if isinstance(value, str) else value


class RoutingDoc(Strict):
    create: list[RouteDoc] = []
    escalate: list[RouteDoc] = []
    take_over: list[RouteDoc] = []
    refer: list[RouteDoc] = []
    withdraw: list[RouteDoc] = []
    answer: list[RouteDoc] = []
    overdue: list[RouteDoc] = []
    resolve: list[RouteDoc] = []
    reject: list[RouteDoc] = []
    reopen: list[RouteDoc] = []


NUMBER_FIELDS = ("seq", "year", "month", "roman_month", "scope")


class KopDoc(Strict):
    """The letterhead (kop surat) of the periodic report."""

    emblem: str = Field(
        default="", description="an image (PNG or JPEG) beside the instruction file; empty: none"
    )
    government: str = Field(default="", max_length=200, description="PEMERINTAH KABUPATEN ...")
    unit: str = Field(default="", max_length=200, description="the issuing unit")
    address: str = Field(default="", max_length=300)
    telephone: str = Field(default="", max_length=100)
    email: str = Field(default="", max_length=100)
    website: str = Field(default="", max_length=100)


class SignatoryDoc(Strict):
    jabatan: str = Field(default="", max_length=200)
    nama: str = Field(default="", max_length=200)
    pangkat: str = Field(default="", max_length=200)
    nip: str = Field(default="", max_length=30)


class LetterDoc(Strict):
    """The periodic report as an official letter (naskah dinas), after the Permendagri on tata
    naskah dinas: kop, number, sifat, lampiran, hal, addressee, body, signature, tembusan."""

    kop: KopDoc = KopDoc()
    number: str = Field(
        default="{seq}/{year}",
        max_length=100,
        description="the letter number; {seq} the yearly sequence, {year}, {month}, "
        "{roman_month}, {scope} (kab, klaster, kec)",
    )
    place: str = Field(
        default="", max_length=100, description="where it is signed; empty: the regency"
    )
    sifat: str = Field(default="Biasa", max_length=50)
    hal: str = Field(default="Laporan Berkala", max_length=300)
    addressee: str = Field(default="", max_length=300, description="'Yth. ...': to whom")
    addressee_place: str = Field(default="di Tempat", max_length=100)
    dasar: list[str] = Field(
        default=[], description="the bases; empty: the instruction the operation follows"
    )
    maksud: str = ""
    tujuan: str = ""
    penutup: str = "Demikian laporan ini kami sampaikan untuk menjadi periksa."
    signatory: SignatoryDoc = Field(
        default=SignatoryDoc(),
        description="who signs the kabupaten report; a kecamatan or cluster report is signed "
        "by its camat or Asisten",
    )
    tembusan: list[str] = []

    @field_validator("number")
    @classmethod
    def _number_pattern(cls, value):
        fields = [f for _text, f, _spec, _conv in string.Formatter().parse(value) if f is not None]
        unknown = sorted(set(fields) - set(NUMBER_FIELDS))
        if unknown:
            raise ValueError(
                _("unknown placeholder %(names)s; use %(known)s")
                % {"names": ", ".join(unknown), "known": ", ".join(NUMBER_FIELDS)}
            )
        if "seq" not in fields:
            raise ValueError(_("the number needs {seq}, the yearly sequence"))
        try:
            value.format(seq=1, year=2024, month=11, roman_month="XI", scope="kab")
        except (ValueError, IndexError) as exc:
            message = _("the number pattern is not valid: %(error)s")
            raise ValueError(message % {"error": exc}) from exc
        return value


class InstructionFile(Strict):
    operation: OperationDoc
    elections: list[ElectionDoc] = []
    stages: list[StageDoc] = []
    agencies: list[AgencyDoc] = []
    positions: list[PositionDoc] = []
    clusters: list[ClusterDoc] = []
    kecamatan: list[KecamatanDoc] = []
    people: list[PersonDoc] = []
    categories: list[CategoryDoc] = []
    deadlines: DeadlinesDoc = DeadlinesDoc()
    checklists: list[ChecklistDoc] = []
    reporting: list[ReportingDoc] = []
    periodic_reports: list[PeriodicReportDoc] = []
    routing: RoutingDoc | None = None
    letter: LetterDoc = LetterDoc()


def slug(text: str) -> str:
    """'Tegal Siwalan' -> 'tegalsiwalan': how camat usernames and position codes are formed."""
    return re.sub(r"[^a-z0-9]", "", text.lower())
