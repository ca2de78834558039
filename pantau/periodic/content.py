"""What a periodic report says, as plain data: the three renderers (pdf.py, docx.py, xlsx.py)
read the same structure, so the PDF, the DOCX and the XLSX never disagree.

`build` is the one function; `Spec` says what to build (the stored `PeriodicReport` gives one
with `spec_of`, the command line builds one itself).
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from pantau.instruction.models import Cluster, Operation, Role
from pantau.instruction.selectors import desk_operations
from pantau.lib.clock import WIB
from pantau.lib.numbers import percent
from pantau.monitoring.models import Situation
from pantau.periodic import figures as figures_module
from pantau.periodic import numbering
from pantau.periodic.models import PeriodicReport, Scope
from pantau.problems.models import (
    OPEN,
    SEVERITY_ORDER,
    Problem,
    ProblemEvent,
    Severity,
    Status,
)
from pantau.problems.selectors import overdue_q
from pantau.regions.models import Level as RegionLevel
from pantau.regions.models import Region


@dataclass
class Spec:
    operation: Operation
    scope: str
    region: Region
    cluster: Cluster | None
    start: dt.date
    end: dt.date
    recommendations: str = ""
    number: str = ""
    letter_date: dt.date | None = None  # the letter's date; None: the day it is made

    @property
    def since(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=WIB)

    @property
    def until(self) -> dt.datetime:
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=WIB)


# What the PDF lists. The PDF goes to the regent: it lists at most PDF_LIST_LIMIT problems with
# their suggestions and solutions, and at most PDF_SHORT_LIST_LIMIT in each of the two short
# lists (resolved in the period; overdue or escalated): the most severe first (kritis, tinggi,
# sedang, rendah), within a severity the open ones before the closed ones, then the oldest first;
# under each list a line says how many more there are. The XLSX and the DOCX list every row.
PDF_LIST_LIMIT = 50
PDF_SHORT_LIST_LIMIT = 20
SEVERITY_RANK = {s: rank for rank, s in enumerate(SEVERITY_ORDER)}


def pdf_list(rows: list[dict], limit: int = PDF_LIST_LIMIT) -> dict:
    """The rows the PDF prints of `rows`, by the rule above, and how many are left out."""
    ordered = sorted(
        rows,
        key=lambda r: (
            SEVERITY_RANK.get(r["severity_code"], len(SEVERITY_RANK)),
            r["status_code"] not in OPEN,
            r["recorded"],
            r["id"],
        ),
    )
    return {"rows": ordered[:limit], "more": max(0, len(rows) - limit), "total": len(rows)}


def spec_of(report: PeriodicReport) -> Spec:
    return Spec(
        operation=report.operation,
        scope=report.scope,
        region=report.region,
        cluster=report.cluster,
        start=report.period_start,
        end=report.period_end,
        recommendations=report.recommendations,
        number=report.number,
        letter_date=report.letter_date or timezone.localtime(report.created_at, WIB).date(),
    )


def kecamatan_of_spec(spec: Spec) -> list[Region]:
    if spec.scope == Scope.KECAMATAN:
        return [spec.region]
    if spec.scope == Scope.CLUSTER:
        return list(spec.cluster.kecamatan.order_by("code"))
    return list(Region.objects.filter(parent=spec.region, level=RegionLevel.KECAMATAN))


def letter_day(spec: Spec, now: dt.datetime) -> dt.date:
    """The date the letter carries: the one asked for, else the day it is made (WIB)."""
    return spec.letter_date or timezone.localtime(now, WIB).date()


def long_date(day) -> str:
    return date_format(day, "j F Y") if day else ""


def _pct(value) -> str:
    return percent(value)


def _situation_label(code: str) -> str:
    return str(dict(Situation.choices).get(code, "–")) if code else "–"


def _person(user) -> str:
    if user is None:
        return ""
    return user.full_name or user.get_username()


def _signatory(spec: Spec, letter: dict) -> dict:
    """The signing official: the camat for a kecamatan, the Asisten for a cluster; for the
    kabupaten the letter's signatory (the instruction file), else the Pj Bupati's seat."""
    from django.contrib.auth import get_user_model

    configured = letter.get("signatory") or {}
    if spec.scope == Scope.KABUPATEN and configured.get("jabatan"):
        return {
            "title": configured["jabatan"],
            "name": configured.get("nama", ""),
            "rank": configured.get("pangkat", ""),
            "nip": configured.get("nip", ""),
        }
    holders = get_user_model().objects.filter(is_active=True).order_by("username")
    if spec.scope == Scope.KECAMATAN:
        position = spec.operation.positions.filter(
            role=Role.CAMAT, region=spec.region, is_active=True
        ).first()
    elif spec.scope == Scope.CLUSTER:
        position = spec.cluster.coordinator
    else:
        position = spec.operation.positions.filter(role=Role.BUPATI, is_active=True).first()
    holder = holders.filter(position=position).first() if position else None
    return {
        "title": position.title if position else "",
        "name": _person(holder),
        "rank": holder.rank if holder else "",
        "nip": holder.nip if holder else "",
    }


def build(spec: Spec, *, now: dt.datetime | None = None) -> dict:
    """The content of the report for `spec`, computed now."""
    with translation.override(settings.LANGUAGE_CODE):
        return _build(spec, now or timezone.now())


def _build(spec: Spec, now: dt.datetime) -> dict:
    kecamatan = kecamatan_of_spec(spec)
    # Only the report's operation is counted where another one shares its region (a Pilkades
    # beside the Pilkada): its problems always are (`_problems`), its reports and compliance
    # then too. With one operation, the region's figures are the operation's (the rollups').
    several = len(desk_operations(spec.region)) > 1
    numbers = figures_module.gather(
        top=spec.region,
        kecamatan=kecamatan,
        start=spec.start,
        end=spec.end,
        since=spec.since,
        until=spec.until,
        now=now,
        operation=spec.operation if several else None,
    )
    listed = _problems(spec, kecamatan, now)
    kecamatan_rows = sorted(
        (
            {
                **k,
                "situation_label": _situation_label(k["situation"]),
                "rate": _pct(k["reporting_rate"]),
                **listed["per_kecamatan"].get(k["code"], {}),
            }
            for k in numbers.kecamatan
        ),
        # trouble first: rawan, waspada, aman, no report; then overdue and open problems
        key=lambda k: (
            -figures_module.SITUATION_RANK.get(k["situation"] or "", 0),
            -k.get("overdue", 0),
            -k.get("open", 0),
            k["name"],
        ),
    )
    totals = {
        "reports": numbers.reports,
        "problems": len(listed["rows"]),
        "open": sum(r["open"] for r in listed["per_kecamatan"].values()),
        "overdue": sum(r["overdue"] for r in listed["per_kecamatan"].values()),
        "resolved": len(listed["resolved"]),
        "escalated": len(listed["overdue"]),
    }
    compliance = _compliance(numbers.compliance)
    situation = {"code": numbers.situation, "label": _situation_label(numbers.situation)}
    content = {
        "header": _header(spec),
        "basis": _basis(spec.operation),
        "period": _period(spec),
        "generated_at": timezone.localtime(now, WIB).strftime("%d-%m-%Y %H:%M WIB"),
        "situation": situation,
        "totals": totals,
        "kecamatan": kecamatan_rows,
        "problems": listed["rows"],
        "resolved": listed["resolved"],
        "overdue": listed["overdue"],
        "pdf": {
            "problems": pdf_list(listed["rows"]),
            "resolved": pdf_list(listed["resolved"], PDF_SHORT_LIST_LIMIT),
            "overdue": pdf_list(listed["overdue"], PDF_SHORT_LIST_LIMIT),
        },
        "compliance": compliance,
        "signature": {
            "place": (spec.operation.letter or {}).get("place") or spec.operation.region.name,
            "date": long_date(letter_day(spec, now)),
            **_signatory(spec, spec.operation.letter or {}),
        },
        "map": {"regions": _map_regions(kecamatan, kecamatan_rows)},
    }
    content["letter"] = _letter(spec, content, now)
    content["body"] = _body(spec, content, kecamatan)
    content["recommendations"] = _recommendations(spec, content)
    return content


def _header(spec: Spec) -> dict:
    regency = spec.operation.region
    return {
        # The letterhead of an official document: always in Indonesian.
        "government": "PEMERINTAH " + regency.title.upper(),
        "regency": regency.title,
        "operation": spec.operation.name,
        "title": _("PERIODIC REPORT"),
        "subject": spec.cluster.name if spec.scope == Scope.CLUSTER else spec.region.title,
        "scope": spec.scope,
        "number": spec.number,
    }


def _basis(operation: Operation) -> dict:
    return {
        "title": operation.instruction_title,
        "number": operation.instruction_number,
        "signed_on": long_date(operation.signed_on),
        "signed_by": operation.signed_by,
    }


def _period(spec: Spec) -> dict:
    return {
        "start": long_date(spec.start),
        "end": long_date(spec.end),
        "label": long_date(spec.start)
        if spec.start == spec.end
        else f"{long_date(spec.start)} – {long_date(spec.end)}",
    }


def _problems(spec: Spec, kecamatan: list[Region], now: dt.datetime) -> dict:
    """The problems of the period (open in it, or created, changed or resolved in it) as rows,
    the resolved and the overdue-or-escalated among them, and the counts per kecamatan."""
    codes = [k.code for k in kecamatan]
    since, until = spec.since, spec.until
    reference = min(now, until)  # "overdue" as of the end of the period (or now)
    in_region = figures_module.region_q("region__code", spec.region, codes)
    escalated = Exists(
        ProblemEvent.objects.filter(
            problem=OuterRef("pk"),
            kind__in=[ProblemEvent.Kind.ESCALATE, ProblemEvent.Kind.OVERDUE],
            at__gte=since,
            at__lt=until,
        )
    )
    problems = (
        Problem.objects.filter(in_region, operation=spec.operation, created_at__lt=until)
        .filter(
            Q(status__in=OPEN)
            | Q(resolved_at__gte=since)
            | Q(updated_at__gte=since)
            | Q(created_at__gte=since)
        )
        .annotate(
            # the latest follow-up note: what is being done while there is no solution yet
            follow_up=Subquery(
                ProblemEvent.objects.filter(problem=OuterRef("pk"), at__lt=until)
                .exclude(note="")
                .exclude(
                    kind__in=[
                        ProblemEvent.Kind.CREATE,
                        ProblemEvent.Kind.RESOLVE,
                        ProblemEvent.Kind.OVERDUE,  # the job's note, not a follow-up
                    ]
                )
                .order_by("-at", "-pk")
                .values("note")[:1]
            ),
            escalated_in_period=escalated,
            overdue=Exists(Problem.objects.filter(overdue_q(reference), pk=OuterRef("pk"))),
        )
        .select_related("region", "region__parent", "category", "owner")
        # The boundaries are not printed per row: decoding them was most of the build's time.
        .defer("region__geometry", "region__parent__geometry")
        .order_by("region__code", "created_at", "pk")
    )
    rows, resolved, overdue = [], [], []
    per_kecamatan = {code: {"open": 0, "overdue": 0, "resolved": 0} for code in codes}
    for p in problems.iterator(chunk_size=2000):
        row = _problem_row(p)
        rows.append(row)
        is_resolved = bool(
            p.status == Status.SELESAI and p.resolved_at and since <= p.resolved_at < until
        )
        counts = per_kecamatan.get(row["kecamatan_code"])
        if counts is not None:
            counts["open"] += p.status in OPEN
            counts["overdue"] += bool(p.overdue)
            counts["resolved"] += bool(is_resolved)
        if is_resolved:
            resolved.append(row)
        if p.overdue or (p.escalated_in_period and p.status in OPEN):
            overdue.append(row)
    return {"rows": rows, "resolved": resolved, "overdue": overdue, "per_kecamatan": per_kecamatan}


SEVERITY_LABELS = dict(Severity.choices)


def _wib_text(moment) -> str:
    return timezone.localtime(moment, WIB).strftime("%d-%m-%Y %H:%M") if moment else ""


def _problem_row(p: Problem) -> dict:
    kec = p.region if p.region.level == RegionLevel.KECAMATAN else p.region.parent
    return {
        "id": p.pk,
        "kecamatan": kec.name if kec else "",
        "kecamatan_code": kec.code if kec else "",
        "village": p.region.name if p.region.level != RegionLevel.KECAMATAN else "",
        "title": p.title,
        "category": p.category.name,
        "severity": str(SEVERITY_LABELS.get(p.severity, p.severity)),
        "severity_code": p.severity,
        "suggestion": p.suggestion,
        "solution": p.solution,
        "follow_up": getattr(p, "follow_up", "") or "",
        "status": str(dict(Status.choices).get(p.status, p.status)),
        "status_code": p.status,
        "level": p.level,
        "owner": _person(p.owner),
        "created_at": _wib_text(p.created_at),
        "recorded": p.created_at,
        "resolved_at": _wib_text(p.resolved_at),
        "overdue": bool(p.overdue),
        "escalated": bool(p.escalated_in_period),
    }


def _missing_by_person(missing: list[dict]) -> list[dict]:
    """The missing reports, one row per official and region with their due times: the annex
    reads as a call list, not as one line per slot."""
    grouped: dict[tuple, dict] = {}
    for m in missing:
        who = m.get("full_name") or m.get("username") or ""
        row = grouped.setdefault(
            (who, m.get("region_name", "")),
            {"who": who, "region": m.get("region_name", ""), "due": []},
        )
        row["due"].append(m.get("due_at") or m["due"])
    for row in grouped.values():
        row["due"] = _times_by_day(row["due"])
    return sorted(grouped.values(), key=lambda r: (r["region"], r["who"]))


def _times_by_day(moments: list) -> list[str]:
    """'27-11-2024: 07.00, 10.00; 28-11-2024: 13.00' from the due times."""
    days: dict[str, list[str]] = {}
    for moment in sorted(m for m in moments if isinstance(m, dt.datetime)):
        local = timezone.localtime(moment, WIB)
        days.setdefault(local.strftime("%d-%m-%Y"), []).append(local.strftime("%H.%M"))
    texts = [f"{day}: {', '.join(times)}" for day, times in days.items()]
    return texts + [str(m) for m in moments if not isinstance(m, dt.datetime)]


def _compliance(comp) -> dict:
    missing = [
        {
            **m,
            "due": timezone.localtime(m["due_at"], WIB).strftime("%d-%m-%Y %H:%M")
            if isinstance(m.get("due_at"), dt.datetime)
            else str(m.get("due_at") or ""),
        }
        for m in comp.missing
    ]
    return {
        "available": comp.available,
        "expected": comp.expected,
        "received": comp.received,
        "on_time": comp.on_time,
        "reporting_rate": _pct(comp.reporting_rate),
        "on_time_rate": _pct(comp.on_time_rate),
        "missing": missing,
        "missing_by_person": _missing_by_person(missing),
        "missing_count": len(missing),
    }


def _letter(spec: Spec, c: dict, now: dt.datetime) -> dict:
    """The parts of the official letter around the body: kop, number, sifat, lampiran, hal,
    addressee, closing and tembusan (the instruction file's `letter` section)."""
    letter = spec.operation.letter or {}
    kop = letter.get("kop") or {}
    day = letter_day(spec, now)
    number = spec.number or numbering.preview_number(
        letter.get("number", ""), day=day, scope=spec.scope
    )
    annex = bool(c["compliance"]["available"] and c["compliance"]["missing"])
    unit = kop.get("unit") or c["header"]["operation"]
    own_office = spec.scope == Scope.KECAMATAN  # the camat writes under the kecamatan's kop
    if own_office:
        unit, kop = spec.region.title, {"emblem_data": kop.get("emblem_data", "")}
    return {
        "emblem": kop.get("emblem_data", ""),
        "government": kop.get("government") or c["header"]["government"],
        "unit": unit.upper() if kop.get("unit") or own_office else unit,
        "address": kop.get("address", ""),
        "contacts": [
            text
            for text in (
                _("Telephone %(value)s") % {"value": kop["telephone"]}
                if kop.get("telephone")
                else "",
                _("E-mail %(value)s") % {"value": kop["email"]} if kop.get("email") else "",
                _("Website %(value)s") % {"value": kop["website"]} if kop.get("website") else "",
            )
            if text
        ],
        "number": number,
        "sifat": letter.get("sifat") or "Biasa",
        "lampiran": _("1 (one) file") if annex else "–",
        # the subject names what and when the letter covers: read years later, it still says so
        "hal": (letter.get("hal") or str(_("Periodic report")))
        + " – "
        + c["header"]["subject"]
        + ", "
        + c["period"]["label"],
        "addressee": letter.get("addressee") or _("Yth. Penjabat Bupati"),
        "addressee_place": letter.get("addressee_place") or "di Tempat",
        "penutup": letter.get("penutup") or "",
        # the regency's copies go with the regency-wide report
        "tembusan": list(letter.get("tembusan") or []) if spec.scope == Scope.KABUPATEN else [],
        "annex": annex,
    }


def _stages(spec: Spec) -> list[str]:
    return [
        s.name
        for s in spec.operation.stages.filter(
            starts_on__lte=spec.end, ends_on__gte=spec.start
        ).order_by("starts_on")
    ]


def _body(spec: Spec, c: dict, kecamatan: list[Region]) -> dict:
    """The body's prose (pendahuluan, pelaksanaan, hasil, simpulan), written from the figures so
    that every section tells the same numbers, and says why two figures differ."""
    letter = spec.operation.letter or {}
    basis = c["basis"]
    instruction = basis["title"] + (f" {_('number')} {basis['number']}" if basis["number"] else "")
    if basis["signed_on"]:
        instruction += f", {_('dated')} {basis['signed_on']}"
    dasar = list(letter.get("dasar") or []) or ([instruction] if basis["title"] else [])
    stages = _stages(spec)
    totals, comp = c["totals"], c["compliance"]
    scope_text = _(
        "This report covers %(subject)s (%(n)s kecamatan) over %(period)s%(stages)s: field "
        "reports, the problems found with their suggestions and solutions, and reporting "
        "compliance."
    ) % {
        "subject": c["header"]["subject"],
        "n": len(kecamatan),
        "period": c["period"]["label"],
        "stages": (" (" + _("stage: %(names)s") % {"names": ", ".join(stages)} + ")")
        if stages
        else "",
    }
    execution = [
        _(
            "Monitoring was carried out in the field by the camat, village heads, field "
            "monitors and the heads of the regional agencies, who report through Pantau."
        ),
        _("%(n)s field reports were received in the period.") % {"n": totals["reports"]},
    ]
    if comp["available"] and comp["expected"]:
        execution.append(
            _(
                "Of the %(expected)s reports due under the reporting schedule, %(received)s "
                "were received (%(rate)s), %(on_time)s of them on time. This figure counts only "
                "the scheduled reports of the officials responsible at their due times; it "
                "differs from the %(reports)s field reports above, which include reports from "
                "villages and field monitors and reports outside the scheduled times."
            )
            % {
                "expected": comp["expected"],
                "received": comp["received"],
                "rate": comp["reporting_rate"],
                "on_time": comp["on_time"],
                "reports": totals["reports"],
            }
        )
        if comp["missing"]:
            execution.append(
                _("The %(n)s reports not received are listed in the annex (lampiran).")
                % {"n": comp["missing_count"]}
            )
    elif comp["available"]:
        execution.append(_("The reporting schedule asked for no report in the period."))
    return {
        "dasar": dasar,
        "maksud": letter.get("maksud", ""),
        "tujuan": letter.get("tujuan", ""),
        "ruang_lingkup": scope_text,
        "pelaksanaan": execution,
        "simpulan": _conclusions(c),
    }


def _by_kecamatan(rows: list[dict], situation: str) -> list[str]:
    return [r["name"] for r in rows if r.get("situation") == situation]


def _conclusions(c: dict) -> list[str]:
    totals = c["totals"]
    lines = [_("The overall situation is %(situation)s.") % {"situation": c["situation"]["label"]}]
    for code in (Situation.RAWAN, Situation.WASPADA):
        names = _by_kecamatan(c["kecamatan"], code)
        if names:
            lines.append(
                _("Kecamatan %(situation)s: %(names)s.")
                % {"situation": _situation_label(code), "names": ", ".join(names)}
            )
    lines.append(
        _(
            "%(problems)s problems in the period: %(open)s still open, %(resolved)s resolved, "
            "%(overdue)s overdue."
        )
        % totals
    )
    return lines


def _recommendations(spec: Spec, c: dict) -> dict:
    """What the coordinator wrote; else recommendations derived from the figures; never an
    empty heading."""
    entered = [line.strip() for line in (spec.recommendations or "").splitlines() if line.strip()]
    if entered:
        return {"lines": entered, "derived": False}
    lines = []
    urgent = [
        p
        for p in c["problems"]
        if p["status_code"] in OPEN and p["severity_code"] in ("kritis", "tinggi")
    ]
    for p in sorted(urgent, key=lambda r: SEVERITY_RANK.get(r["severity_code"], 9))[:5]:
        where = ", ".join(x for x in (p["village"], p["kecamatan"]) if x)
        lines.append(
            _("Follow up “%(title)s” (%(where)s): %(suggestion)s")
            % {"title": p["title"], "where": where, "suggestion": p["suggestion"] or "–"}
        )
    if c["totals"]["overdue"]:
        lines.append(
            _("Ask the owners of the %(n)s overdue problems to resolve them or escalate them.")
            % {"n": c["totals"]["overdue"]}
        )
    if c["compliance"]["available"] and c["compliance"]["missing"]:
        lines.append(
            _("Remind the officials who did not report (annex) to report at the scheduled times.")
        )
    if not lines:
        lines.append(_("No recommendation: no open problem needs a decision."))
    return {"lines": lines, "derived": True}


def _map_regions(kecamatan: list[Region], rows: list[dict]) -> list[dict]:
    situation = {r["code"]: r["situation"] for r in rows}
    return [
        {"code": k.code, "name": k.name, "geometry": k.geometry, "situation": situation.get(k.code)}
        for k in kecamatan
        if k.geometry
    ]
