"""What a periodic report says, as plain data: the three renderers (pdf.py, docx.py, xlsx.py)
read the same structure, so the PDF, the DOCX and the XLSX never disagree.

`build` is the one function; `Spec` says what to build (the stored `PeriodicReport` gives one
with `spec_of`, the command line builds one itself).
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from pantau.instruction.models import Cluster, Operation, Role
from pantau.lib.clock import WIB
from pantau.lib.numbers import percent
from pantau.monitoring.models import Situation
from pantau.periodic import figures as figures_module
from pantau.periodic.models import PeriodicReport, Scope
from pantau.problems.models import OPEN, SEVERITY_ORDER, Problem, ProblemEvent, Status
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
        number=str(report.pk or ""),
    )


def kecamatan_of_spec(spec: Spec) -> list[Region]:
    if spec.scope == Scope.KECAMATAN:
        return [spec.region]
    if spec.scope == Scope.CLUSTER:
        return list(spec.cluster.kecamatan.order_by("code"))
    return list(Region.objects.filter(parent=spec.region, level=RegionLevel.KECAMATAN))


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


def _signatory(spec: Spec) -> dict:
    """The signing official: the camat for a kecamatan, the Asisten for a cluster, the Pj Bupati
    for the kabupaten (the office that issues the regency-wide report)."""
    from django.contrib.auth import get_user_model

    holders = get_user_model().objects.filter(is_active=True).order_by("username")
    position = None
    if spec.scope == Scope.KECAMATAN:
        position = spec.operation.positions.filter(
            role=Role.CAMAT, region=spec.region, is_active=True
        ).first()
    elif spec.scope == Scope.CLUSTER:
        position = spec.cluster.coordinator
    else:
        position = spec.operation.positions.filter(role=Role.BUPATI, is_active=True).first()
    holder = holders.filter(position=position).first() if position else None
    return {"title": position.title if position else "", "name": _person(holder)}


def build(spec: Spec, *, now: dt.datetime | None = None) -> dict:
    """The content of the report for `spec`, computed now."""
    with translation.override(settings.LANGUAGE_CODE):
        return _build(spec, now or timezone.now())


def _build(spec: Spec, now: dt.datetime) -> dict:
    operation = spec.operation
    kecamatan = kecamatan_of_spec(spec)
    codes = [k.code for k in kecamatan]
    since, until = spec.since, spec.until
    reference = min(now, until)  # "overdue" as of the end of the period (or now)
    top = spec.region
    numbers = figures_module.gather(
        top=top,
        kecamatan=kecamatan,
        start=spec.start,
        end=spec.end,
        since=since,
        until=until,
        now=now,
    )

    in_region = figures_module.region_q("region__code", top, codes)
    escalated = Exists(
        ProblemEvent.objects.filter(
            problem=OuterRef("pk"),
            kind__in=[ProblemEvent.Kind.ESCALATE, ProblemEvent.Kind.OVERDUE],
            at__gte=since,
            at__lt=until,
        )
    )
    problems = (
        Problem.objects.filter(in_region, operation=operation, created_at__lt=until)
        .filter(
            Q(status__in=OPEN)
            | Q(resolved_at__gte=since)
            | Q(updated_at__gte=since)
            | Q(created_at__gte=since)
        )
        .annotate(
            escalated_in_period=escalated,
            overdue=Exists(Problem.objects.filter(overdue_q(reference), pk=OuterRef("pk"))),
        )
        .select_related("region", "region__parent", "category", "owner")
        # The boundaries are not printed per row: decoding them was most of the build's time.
        .defer("region__geometry", "region__parent__geometry")
        .order_by("region__code", "created_at", "pk")
    )
    statuses = dict(Status.choices)
    severities = {
        "rendah": _("low"),
        "sedang": _("medium"),
        "tinggi": _("high"),
        "kritis": _("critical"),
    }
    rows, resolved, overdue = [], [], []
    per_kecamatan = {code: {"open": 0, "overdue": 0, "resolved": 0} for code in codes}
    for p in problems.iterator(chunk_size=2000):
        kec = p.region if p.region.level == RegionLevel.KECAMATAN else p.region.parent
        row = {
            "id": p.pk,
            "kecamatan": kec.name if kec else "",
            "kecamatan_code": kec.code if kec else "",
            "village": p.region.name if p.region.level != RegionLevel.KECAMATAN else "",
            "title": p.title,
            "category": p.category.name,
            "severity": str(severities.get(p.severity, p.severity)),
            "severity_code": p.severity,
            "suggestion": p.suggestion,
            "solution": p.solution,
            "status": str(statuses.get(p.status, p.status)),
            "status_code": p.status,
            "level": p.level,
            "owner": _person(p.owner),
            "created_at": timezone.localtime(p.created_at, WIB).strftime("%d-%m-%Y %H:%M"),
            "recorded": p.created_at,
            "resolved_at": (
                timezone.localtime(p.resolved_at, WIB).strftime("%d-%m-%Y %H:%M")
                if p.resolved_at
                else ""
            ),
            "overdue": bool(p.overdue),
            "escalated": bool(p.escalated_in_period),
        }
        rows.append(row)
        counts = per_kecamatan.get(row["kecamatan_code"])
        is_resolved = bool(
            p.status == Status.SELESAI and p.resolved_at and since <= p.resolved_at < until
        )
        if counts is not None:
            counts["open"] += p.status in OPEN
            counts["overdue"] += bool(p.overdue)
            counts["resolved"] += bool(is_resolved)
        if is_resolved:
            resolved.append(row)
        if p.overdue or (p.escalated_in_period and p.status in OPEN):
            overdue.append(row)

    kecamatan_rows = [
        {
            **k,
            "situation_label": _situation_label(k["situation"]),
            "rate": _pct(k["reporting_rate"]),
            **per_kecamatan.get(k["code"], {}),
        }
        for k in numbers.kecamatan
    ]
    totals = {
        "reports": numbers.reports,
        "problems": len(rows),
        "open": sum(r["open"] for r in per_kecamatan.values()),
        "overdue": sum(r["overdue"] for r in per_kecamatan.values()),
        "resolved": len(resolved),
        "escalated": len(overdue),
    }
    comp = numbers.compliance
    regency = operation.region
    subject = spec.cluster.name if spec.scope == Scope.CLUSTER else spec.region.title
    return {
        "header": {
            # The letterhead of an official document: always in Indonesian.
            "government": "PEMERINTAH " + regency.title.upper(),
            "regency": regency.title,
            "operation": operation.name,
            "title": _("PERIODIC REPORT"),
            "subject": subject,
            "scope": spec.scope,
            "number": spec.number,
        },
        "basis": {
            "title": operation.instruction_title,
            "number": operation.instruction_number,
            "signed_on": long_date(operation.signed_on),
            "signed_by": operation.signed_by,
        },
        "period": {
            "start": long_date(spec.start),
            "end": long_date(spec.end),
            "label": long_date(spec.start)
            if spec.start == spec.end
            else f"{long_date(spec.start)} – {long_date(spec.end)}",
        },
        "generated_at": timezone.localtime(now, WIB).strftime("%d-%m-%Y %H:%M WIB"),
        "situation": {"code": numbers.situation, "label": _situation_label(numbers.situation)},
        "totals": totals,
        "kecamatan": kecamatan_rows,
        "problems": rows,
        "resolved": resolved,
        "overdue": overdue,
        "pdf": {
            "problems": pdf_list(rows),
            "resolved": pdf_list(resolved, PDF_SHORT_LIST_LIMIT),
            "overdue": pdf_list(overdue, PDF_SHORT_LIST_LIMIT),
        },
        "compliance": {
            "available": comp.available,
            "expected": comp.expected,
            "received": comp.received,
            "on_time": comp.on_time,
            "reporting_rate": _pct(comp.reporting_rate),
            "on_time_rate": _pct(comp.on_time_rate),
            "missing": [
                {
                    **m,
                    "due": timezone.localtime(m["due_at"], WIB).strftime("%d-%m-%Y %H:%M")
                    if isinstance(m.get("due_at"), dt.datetime)
                    else str(m.get("due_at") or ""),
                }
                for m in comp.missing
            ],
            "missing_count": len(comp.missing),
        },
        "recommendations": [
            line.strip() for line in (spec.recommendations or "").splitlines() if line.strip()
        ],
        "signature": {
            "place": regency.name,
            "date": long_date(timezone.localtime(now, WIB).date()),
            **_signatory(spec),
        },
        "map": {"regions": _map_regions(kecamatan, kecamatan_rows)},
    }


def _map_regions(kecamatan: list[Region], rows: list[dict]) -> list[dict]:
    situation = {r["code"]: r["situation"] for r in rows}
    return [
        {"code": k.code, "name": k.name, "geometry": k.geometry, "situation": situation.get(k.code)}
        for k in kecamatan
        if k.geometry
    ]
