"""The rules of an operation's life, in one place.

- `ensure_writable`: may something new be written into an operation? Every write path (the
  report and problem actions, and through them the API, the web form, ODK and the message
  channels) asks it; only an active operation takes reports, problems and actions, except that
  the Pj Bupati may reopen a problem of a closed one.
- `holds` and `resolve`: which operation a report or a problem belongs to, from its region and
  its time observed: the active operation whose territory holds the region and whose period
  (its first stage's start to its last stage's end, WIB dates) holds the moment; else, when a
  closed operation's period holds it, that one (and the write is refused); else the active one
  nearest in time. Two that fit equally well: the sender chooses (`operation`).
"""

import datetime as dt
from collections.abc import Callable, Iterable

from django.utils.translation import gettext as _

from pantau.instruction.models import Operation, Stage
from pantau.lib.clock import aware, local_date
from pantau.lib.errors import Conflict, Invalid
from pantau.regions.models import Level, Region, within


class OperationClosed(Conflict):
    code = "operation_closed"


def ensure_writable(operation: Operation, *, closed_allowed: bool = False) -> None:
    """Raise `OperationClosed` (409) unless `operation` takes new writes. `closed_allowed`: the
    one write a closed operation still takes (who may make it is the access module's
    `acts_in_closed_operation`)."""
    if operation.status == Operation.Status.ACTIVE:
        return
    if operation.status == Operation.Status.CLOSED:
        if closed_allowed:
            return
        raise OperationClosed(
            _(
                "The monitoring operation %(name)s is closed: it takes no new reports, "
                "problems or actions. Everything in it can still be read."
            )
            % {"name": operation.name},
            fields={"operation": _("closed")},
        )
    raise OperationClosed(
        _("The monitoring operation %(name)s is not active yet (draft).")
        % {"name": operation.name},
        code="operation_draft",
        fields={"operation": _("draft")},
    )


def holds(operation: Operation, region: Region) -> bool:
    """Does the operation's territory hold `region`? Its region, or when the file lists
    kecamatan and villages, those (a kecamatan with some of its villages listed counts)."""
    if not region.is_within(operation.region.code):
        return False
    if not operation.territory:
        return True
    return any(
        region.is_within(code) or (region.level == Level.KECAMATAN and within(code, region.code))
        for code in operation.territory
    )


def period(stages: Iterable[Stage]) -> tuple[dt.date, dt.date] | None:
    """The WIB dates from the first stage's start to the last one's end."""
    stages = list(stages)
    if not stages:
        return None
    return min(s.starts_on for s in stages), max(s.ends_on for s in stages)


def _distance(span: tuple[dt.date, dt.date] | None, day: dt.date) -> int:
    if span is None:
        return 10**6
    if span[0] <= day <= span[1]:
        return 0
    return min(abs((span[0] - day).days), abs((span[1] - day).days))


def _choose(candidates: list[Operation]) -> Invalid:
    codes = ", ".join(sorted(op.code for op in candidates))
    return Invalid(
        _(
            "More than one monitoring operation covers this region at this time. "
            "Choose one: %(codes)s."
        )
        % {"codes": codes},
        code="operation_required",
        fields={"operation": _("one of: %(codes)s") % {"codes": codes}},
    )


def unknown(code: str) -> Invalid:
    """The answer to an operation code that names none covering the region (400)."""
    return Invalid(
        _("No monitoring operation %(code)s covers this region.") % {"code": code},
        code="unknown_operation",
        fields={"operation": _("unknown code, or not covering this region")},
    )


def current(candidates: list[Operation], moment: dt.datetime, stages) -> Operation | None:
    """The operation a reader of `candidates` opens on at `moment` (the desk's default): the
    one whose period holds the day, else the nearest in time; of equals, the first. The same
    time rule as `resolve`, without asking anyone to choose."""
    if len(candidates) < 2:
        return candidates[0] if candidates else None
    day = local_date(aware(moment))
    ranked = sorted(candidates, key=lambda op: (_distance(period(stages(op)), day), op.pk))
    return ranked[0] if ranked else None


def resolve(
    region: Region,
    moment: dt.datetime,
    *,
    active: list[Operation],
    stages: Callable[[Operation], list[Stage]],
    code: str | None = None,
) -> Operation:
    """The operation a write about `region` at `moment` belongs to (see the module's doc).

    `active` are the active operations and `stages(op)` an operation's active stages (the
    report path passes its kept copies). `code`, when the sender chose, must name an operation
    that holds the region. Raises `Invalid` (400) when none or several fit, `OperationClosed`
    (409) when the write belongs to a closed or draft operation."""
    if code:
        chosen = next((op for op in active if op.code == code), None)
        if chosen is None:
            chosen = Operation.objects.select_related("region").filter(code=code).first()
        if chosen is None or not holds(chosen, region):
            raise unknown(code)
        ensure_writable(chosen)
        return chosen
    day = local_date(aware(moment))  # a naive time is WIB, as a phone sends it
    candidates = [op for op in active if holds(op, region)]
    distance = {op.pk: _distance(period(stages(op)), day) for op in candidates}
    current = [op for op in candidates if distance[op.pk] == 0]
    if len(current) == 1:
        return current[0]
    if len(current) > 1:
        raise _choose(current)
    closed = [
        op
        for op in Operation.objects.select_related("region").filter(status=Operation.Status.CLOSED)
        if holds(op, region) and _distance(period(op.stages.filter(is_active=True)), day) == 0
    ]
    if closed:
        ensure_writable(closed[0])
    if not candidates:
        other = next(
            (
                op
                for op in Operation.objects.select_related("region").exclude(
                    status=Operation.Status.ACTIVE
                )
                if holds(op, region)
            ),
            None,
        )
        if other is not None:
            ensure_writable(other)
        raise Invalid(
            _("No active monitoring operation covers this region."),
            fields={"region": _("no active operation")},
        )
    nearest = min(distance.values())
    best = [op for op in candidates if distance[op.pk] == nearest]
    if len(best) > 1:
        raise _choose(best)
    return best[0]
