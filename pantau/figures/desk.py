"""Which operation the desk's pages (dashboard, compliance, periodic reports) show, said once.

`choose(region, moment, query)`: the operation chosen by `?operation=` or else the current one
for the region at `moment` (`instruction.selectors.desk_operation`: the one whose period holds
that day, else the nearest in time), and the links to the others. `moment` is the day the page
shows (`shown`): the day or period asked in the URL, else now (and the page then opens on the
chosen operation's day, `figures.days`): the operation and the day shown always agree. With a
single operation nothing changes: no chooser is shown and no operation filter is set (the
figures stay those of the whole region, read from the rollups)."""

import datetime as dt
from dataclasses import dataclass, field

from django.http import QueryDict

from pantau.instruction.models import Operation
from pantau.instruction.selectors import desk_operation, desk_operations
from pantau.lib.clock import WIB
from pantau.lib.errors import Invalid, InvalidPage
from pantau.regions.models import Region

# What belongs to one operation and is dropped from a link to another.
OWN_PARAMETERS = ("stage", "page")


@dataclass
class Choice:
    chosen: Operation | None = None
    others: list[tuple[Operation, str]] = field(default_factory=list)  # (operation, query)

    @property
    def several(self) -> bool:
        return bool(self.others)

    @property
    def filter(self) -> Operation | None:
        """The operation to narrow the figures to: only when there is a choice."""
        return self.chosen if self.several else None


def shown(day: dt.date | dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """The moment a desk page's operation is chosen at: the day (or moment) it was asked to
    show, else `now`."""
    if day is None:
        return now
    if isinstance(day, dt.datetime):
        return day
    return dt.datetime.combine(day, dt.time(12), tzinfo=WIB)


def choose(region: Region, moment: dt.datetime, query: QueryDict) -> Choice:
    """The operation shown for `region` at `moment`, and the others with their link's query
    (`query` with their code, without what belongs to the chosen one). An unknown `operation`
    is InvalidPage (the site's 400 page). The nation's view sums every operation: no choice."""
    if region.is_nation:
        return Choice()
    found = desk_operations(region)
    try:
        chosen = desk_operation(region, moment, (query.get("operation") or "").strip(), found)
    except Invalid as exc:
        raise InvalidPage(exc.message, code=exc.code, fields=exc.fields) from exc
    others = []
    for operation in found:
        if operation == chosen:
            continue
        link = query.copy()
        for name in OWN_PARAMETERS:
            link.pop(name, None)
        link["operation"] = operation.code
        others.append((operation, link.urlencode()))
    return Choice(chosen, others)
