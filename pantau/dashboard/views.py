"""The dashboard page (/dasbor/), its refreshed panels and its map's GeoJSON: parse the
filters, ask the selectors, render. Who sees what is decided in `accounts.access` (through
`selectors.dashboard_region` and the selectors' scope)."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from pantau.dashboard import charts, selectors
from pantau.dashboard.forms import FilterForm
from pantau.figures import desk
from pantau.figures.days import opening_day
from pantau.figures.vocabulary import SEVERITIES, SITUATION_LABELS, SITUATIONS
from pantau.lib.dbrouter import replica_reads
from pantau.problems.models import Severity

# Parameters that ask for a period: with any of them in the URL, even empty ("period=" is
# "everything", as the filter form sends it), the page shows what was asked as of now, never
# another day (see `figures.days`).
PERIOD_PARAMS = ("period", "start", "end")


def _parse(request):
    """(form, region, filters, now, choice, opening). `choice`: which operation
    (`figures.desk`). Without a period asked, when today is outside that operation's stages,
    `now` is the end of its latest day with data: the page shows the desk as it stood that day
    (and says so, `figures.days`)."""
    now = timezone.now()
    code = (request.GET.get("region") or "").strip()[:32] or None
    region = selectors.dashboard_region(request.user, code)
    choice = desk.choose(region, desk.shown(_asked_start(request), now), request.GET)
    opening = None
    if not any(p in request.GET for p in PERIOD_PARAMS):
        opening = opening_day(choice.chosen, now)
        if opening.moved:
            now = min(now, opening.end())
    form = FilterForm(request.GET, operation=choice.filter)
    form.is_valid()
    filters = {**form.filters(now), "operation": choice.filter}
    return form, region, filters, now, choice, opening


def _asked_start(request) -> dt.date | None:
    """The first day of a period asked in the URL (`start`), for the operation shown; a
    malformed one is the filter form's to refuse."""
    try:
        return parse_date((request.GET.get("start") or "").strip()[:10])
    except ValueError:
        return None


def trouble_first(rows: list[dict]) -> list[dict]:
    """Areas in the order a regent reads them: rawan, waspada, aman, no data; within one
    situation the most overdue, then the most open problems, then by name."""
    return sorted(
        rows,
        key=lambda r: (
            SITUATIONS.index(r["situation"]),
            -r["problems_overdue"],
            -r["problems_open"],
            r["name"],
        ),
    )


def map_words() -> dict:
    """The words the map's script writes in its panels (in the user's language)."""
    return {
        "situations": {k: str(v) for k, v in SITUATION_LABELS.items()},
        "severities": {s: str(Severity(s).label) for s in SEVERITIES},
        "open": str(_("open problems")),
        "overdue": str(_("overdue")),
        "reports": str(_("reports")),
        "rate": str(_("reporting rate")),
        "no_rate": str(_("no report due yet")),
        "none": str(_("none")),
        "open_dashboard": str(_("Open the dashboard of %(name)s")),
    }


def _drill(filter_query: str) -> str:
    """The link to a child's dashboard with the same filters, without the child's code."""
    return f"{reverse('dashboard')}?{filter_query}{'&' if filter_query else ''}region="


def _query(request, **changes) -> str:
    """The request's filters with `changes` (None drops a parameter), URL-encoded."""
    query = request.GET.copy()
    for key, value in changes.items():
        query.pop(key, None)
        if value is not None:
            query[key] = value
    return query.urlencode()


@login_required
@replica_reads()
def dashboard(request):
    form, region, filters, now, choice, opening = _parse(request)
    user = request.user
    args = {"user": user, **filters, "now": now}
    cache: dict = {}  # the kecamatan's figures and rates, the rollups' watermark: read once
    data = selectors.summary(region=region, cache=cache, **args)
    series = selectors.timeseries(region=region, cache=cache, **args)
    categories = list(selectors.categories().values_list("code", "name"))
    data["children"] = trouble_first(data["children"])
    clusters = selectors.clusters(cache=cache, **args)
    for cluster in clusters:
        cluster["kecamatan"] = trouble_first(cluster["kecamatan"])
    context = {
        "form": form,
        "choice": choice,
        "region": region,
        "data": data,
        "clusters": clusters,
        "category_names": dict(categories),
        "map_words": map_words(),
        "chart": charts.bar_chart(series, categories),
        "series": series,
        "feed": selectors.feed(region=region, **args),
        "latest": selectors.latest(region=region, **args),
        "rule": [(k, selectors.SITUATION_LABELS[k], text) for k, text in selectors.SITUATION_RULE],
        "ancestors": selectors.ancestors(user, region),
        "map_query": _query(request, region=region.code),
        "filter_query": _query(request, region=None),
        "filters_in_use": _query(request, region=None, operation=None),  # (the choice is not one)
        "drill": _drill(_query(request, region=None)),
        "now": now,
        "opening": opening,
    }
    template = "dashboard/_panels.html" if request.htmx else "dashboard/page.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@replica_reads()
def map_geojson(request):
    _form, region, filters, now, _choice, _opening = _parse(request)
    data = selectors.map_geojson(user=request.user, region=region, **filters, now=now)
    return JsonResponse(
        data,
        encoder=DjangoJSONEncoder,
        content_type="application/geo+json",
        json_dumps_params={"ensure_ascii": False},
    )
