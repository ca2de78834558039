"""The compliance page (/kepatuhan/): who has reported, on time, and who has not; and the full
list of missing reports as CSV (/kepatuhan/belum-lapor.csv).

The views parse the filters, ask `selectors.compliance_for` (which starts from the user's
territory, as the API does) and render; a region outside the territory is a 404. The slots are
computed once per request: the kecamatan and cluster figures are derived from the same pass.
The page lists only MISSING_PER_PAGE missing reports at a time (the most recent first, with
page links); the CSV has them all."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from pantau.compliance import selectors
from pantau.compliance.forms import ComplianceForm
from pantau.figures import desk
from pantau.figures.days import OpeningDay, opening_day
from pantau.lib.clock import WIB
from pantau.lib.dbrouter import replica_reads
from pantau.lib.errors import Invalid
from pantau.lib.phones import call_links
from pantau.lib.spreadsheet import stream_csv

MISSING_PER_PAGE = 50


def _filters(request, context: dict):
    """(form, start, end), or a 400 answer carrying the form and its messages."""
    form = ComplianceForm(request.GET or None, user=request.user)
    context["form"] = form
    if form.is_bound and not form.is_valid():
        return None, render(request, "compliance/page.html", context, status=400)
    data = form.cleaned_data if form.is_bound else {}
    day = data.get("date")
    if not (day or data.get("since") or data.get("until")):
        # no day asked: today, or the operation's latest day with data (figures.days)
        operation = _choice(request, data.get("region") or None).chosen
        opening = opening_day(operation, timezone.now())
        if opening.moved and operation is not None:
            # the latest day with data that expects reports (the days after the last rule's
            # stage expect none: the page would show only zeros)
            scheduled = selectors.last_scheduled_day(operation, opening.day)
            opening = OpeningDay(scheduled, True) if scheduled else opening
        context["opening"] = opening
        day = opening.day
    try:
        start, end = selectors.period(date=day, since=data.get("since"), until=data.get("until"))
    except Invalid as exc:
        for name, message in exc.fields.items():
            form.add_error(name if name in form.fields else None, message)
        return None, render(request, "compliance/page.html", context, status=400)
    return (data, start, end), None


@login_required
@replica_reads()
def compliance_page(request):
    context = {"result": None, "clusters": [], "start": None, "end": None, "missing": None}
    parsed, refused = _filters(request, context)
    if refused is not None:
        return refused
    data, start, end = parsed
    code = data.get("region") or None
    choice = _choice(request, code, _asked(data))
    result, scope = selectors.compliance_for(
        request.user,
        start=start,
        end=end,
        code=code,
        clusters=True,
        operation=choice.filter,
        scope=selectors.scope_for(request.user, code, choice.filter),
    )
    context["choice"] = choice
    latest_first = result.missing[::-1]
    missing = Paginator(latest_first, MISSING_PER_PAGE).get_page(data.get("page"))
    context.update(
        result=result, scope=scope, start=start, end=end, clusters=result.clusters, missing=missing
    )
    context["missing_rows"] = _with_phones(missing)
    context["trouble"], context["complete"] = trouble_first(result.children)
    if request.htmx and request.htmx.target == "compliance-missing":
        return render(request, "compliance/_missing.html", context)
    return render(request, "compliance/page.html", context)


def trouble_first(children: list) -> tuple[list, list]:
    """The kecamatan (or regions) with reports missing, the most missing first (then the
    lowest reporting rate), and the others: every expected report received, or none expected."""
    ordered = sorted(
        children,
        key=lambda c: (
            -len(c.missing),
            c.reporting_rate if c.reporting_rate is not None else 2,
            c.name,
        ),
    )
    return [c for c in ordered if c.missing], [c for c in ordered if not c.missing]


def _choice(request, code: str | None, day: dt.date | None = None) -> desk.Choice:
    """The operation shown (figures.desk) for the day asked (`day`), else now."""
    return selectors.choice_for(request.user, code, desk.shown(day, timezone.now()), request.GET)


def _asked(data: dict) -> dt.date | None:
    """The day the URL asks for, if any (the operation is chosen for it)."""
    return data.get("date") or data.get("since") or data.get("until")


def _with_phones(missing) -> list:
    """The page's missing reports with the links that reach whoever owes each (one query)."""
    names = {m.username for m in missing.object_list}
    phones = dict(
        get_user_model()
        .objects.filter(username__in=names)
        .exclude(phone="")
        .values_list("username", "phone")
    )
    return [(m, call_links(phones.get(m.username, ""))) for m in missing.object_list]


def _missing_rows(result: selectors.Compliance):
    yield [_("Username"), _("Name"), _("Region code"), _("Region"), _("Due at (WIB)")]
    for m in result.missing:
        due = m.due_at.astimezone(WIB).strftime("%Y-%m-%d %H:%M")
        yield [m.username, m.full_name, m.region, m.region_name, due]


@login_required
@replica_reads()
def missing_csv(request):
    """Every missing report of the filters (territory applied), in deadline order."""
    context = {"result": None, "clusters": [], "start": None, "end": None, "missing": None}
    parsed, refused = _filters(request, context)
    if refused is not None:
        return refused
    data, start, end = parsed
    code = data.get("region") or None
    result, _scope = selectors.compliance_for(
        request.user,
        start=start,
        end=end,
        code=code,
        operation=_choice(request, code, _asked(data)).filter,
    )
    return stream_csv(_missing_rows(result), "belum-lapor")
