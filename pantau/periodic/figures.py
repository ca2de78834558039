"""The figures of a periodic report, gathered in one place.

The situation and reporting rate per kecamatan and the reporting compliance come from the desk's
one read model (`pantau.figures.read.figures`), as the dashboard shows them. The problem counts
are computed here from the same problems the report lists, so that the totals and the table
always agree.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from pantau.figures.read import Filters, Period
from pantau.figures.read import Scope as FigureScope
from pantau.figures.read import figures as desk_figures
from pantau.figures.vocabulary import Stats
from pantau.instruction.models import Operation, Role
from pantau.monitoring.models import Report, Situation
from pantau.regions.models import Region

SITUATION_RANK = {"": 0, Situation.AMAN: 1, Situation.WASPADA: 2, Situation.RAWAN: 3}


def system_user():
    """Who the figures are computed for: the whole region, like an administrator (the person
    who requested the report was checked against the region when they asked)."""
    return get_user_model()(
        username="pantau-system", role=Role.ADMIN, is_superuser=True, is_active=True
    )


@dataclass
class Compliance:
    expected: int = 0
    received: int = 0
    on_time: int = 0
    reporting_rate: float | None = None
    on_time_rate: float | None = None
    missing: list[dict] = field(default_factory=list)
    available: bool = True


@dataclass
class Figures:
    situation: str
    kecamatan: list[dict]  # code, name, situation, reporting_rate
    reports: int
    compliance: Compliance


def worst(situations) -> str:
    return max(situations, key=lambda s: SITUATION_RANK.get(s or "", 0), default="") or ""


def _in(field_name: str, codes: list[str]) -> Q:
    query = Q(pk__in=[])
    for code in codes:
        query |= Region.subtree_q(code, field_name)
    return query


def gather(
    *,
    top: Region,
    kecamatan: list[Region],
    start: dt.date,
    end: dt.date,
    since: dt.datetime,
    until: dt.datetime,
    now=None,
    operation: Operation | None = None,
) -> Figures:
    """The figures of `kecamatan` (all of a kabupaten or cluster, or one) over the WIB days
    `start`..`end`, i.e. [since, until).

    `top` is the region the other selectors are asked about: the kabupaten for a kabupaten or
    cluster report, the kecamatan itself for a kecamatan report. `operation`: only its reports
    and compliance (another operation overlaps it there; None: the region's, as the desk reads
    a region with one operation, from the rollups).
    """
    codes = [k.code for k in kecamatan]
    whole = _whole(top, codes)
    reports = Report.objects.filter(
        # (a kabupaten's one prefix rather than each of its kecamatan's: one index range)
        _in("region__code", [top.code] if whole else codes),
        observed_at__gte=since,
        observed_at__lt=until,
    )
    if operation is not None:
        reports = reports.filter(operation=operation)
    found = desk_figures(
        FigureScope(system_user(), top, now or timezone.now()),
        Period(since, until),
        Filters(operation=operation),
    )
    situations = _situations(found, top, kecamatan)
    rows = [
        {
            "code": k.code,
            "name": k.name,
            "situation": situations.get(k.code, {}).get("situation", ""),
            "reporting_rate": situations.get(k.code, {}).get("reporting_rate"),
        }
        for k in kecamatan
    ]
    return Figures(
        situation=worst(r["situation"] for r in rows),
        kecamatan=rows,
        reports=reports.count(),
        compliance=_compliance(found, codes, whole, start, end),
    )


def _situations(found, top: Region, kecamatan: list[Region]) -> dict[str, dict]:
    """Per kecamatan: its situation and reporting rate (for a kecamatan report, the
    kecamatan's own, as its dashboard shows them)."""
    rate, rates = found.reporting_rates()
    if top.level == "kecamatan":
        return {
            top.code: {"situation": found.total(len(top.code)).situation, "reporting_rate": rate}
        }
    length = len(kecamatan[0].code) if kecamatan else len(top.code) + 3
    stats = found.stats(length)
    return {
        k.code: {
            "situation": stats.get(k.code, Stats()).situation,
            "reporting_rate": rates.get(k.code),
        }
        for k in kecamatan
    }


def _attr(obj, name, default=None):
    return obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)


def region_q(field_name: str, top: Region, codes: list[str]) -> Q:
    """Rows inside the kecamatan `codes` of `top`: under `top`'s one code prefix where they are
    the whole of it (one index range rather than an OR per kecamatan)."""
    return _in(field_name, [top.code] if _whole(top, codes) else codes)


def _whole(top: Region, codes: list[str]) -> bool:
    """Whether `codes` are the whole of `top` (a kecamatan report, or every kecamatan of the
    kabupaten) rather than a cluster of it."""
    return top.level == "kecamatan" or set(codes) == set(
        Region.objects.filter(parent=top).values_list("code", flat=True)
    )


def _compliance(found, codes, whole, start, end) -> Compliance:
    data = found.compliance(start, end)
    if data is None:
        return Compliance(available=False)
    missing = [
        {
            "username": _attr(m, "username", ""),
            "full_name": _attr(m, "full_name", ""),
            "region": _attr(m, "region", ""),
            "region_name": _attr(m, "region_name", ""),
            "due_at": _attr(m, "due_at"),
        }
        for m in _attr(data, "missing", []) or []
    ]
    if whole:
        return Compliance(
            expected=_attr(data, "expected", 0),
            received=_attr(data, "received", 0),
            on_time=_attr(data, "on_time", 0),
            reporting_rate=_attr(data, "reporting_rate"),
            on_time_rate=_attr(data, "on_time_rate"),
            missing=missing,
        )
    # A cluster: add up its kecamatan.
    children = [
        c
        for c in _attr(data, "children", []) or []
        if _attr(c, "code", _attr(c, "region")) in codes
    ]
    expected = sum(_attr(c, "expected", 0) for c in children)
    received = sum(_attr(c, "received", 0) for c in children)
    on_time = sum(_attr(c, "on_time", 0) for c in children)
    return Compliance(
        expected=expected,
        received=received,
        on_time=on_time,
        reporting_rate=received / expected if expected else None,
        on_time_rate=on_time / expected if expected else None,
        missing=[m for m in missing if any(str(m["region"]).startswith(code) for code in codes)],
    )
