"""The dashboard page (/dasbor/), its refreshed panels and its map's GeoJSON: parse the
filters, ask the selectors, render. Who sees what is decided in `accounts.access` (through
`selectors.dashboard_region` and the selectors' scope)."""

from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from pantau.dashboard import charts, selectors
from pantau.dashboard.forms import FilterForm
from pantau.lib.dbrouter import replica_reads


def _parse(request):
    form = FilterForm(request.GET)
    form.is_valid()
    now = timezone.now()
    filters = form.filters(now)
    code = (form.cleaned_data.get("region") or "").strip() or None
    region = selectors.dashboard_region(request.user, code)
    return form, region, filters, now


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
    form, region, filters, now = _parse(request)
    user = request.user
    args = {"user": user, **filters, "now": now}
    cache: dict = {}  # the kecamatan's figures and rates, the rollups' watermark: read once
    data = selectors.summary(region=region, cache=cache, **args)
    series = selectors.timeseries(region=region, cache=cache, **args)
    categories = list(selectors.categories().values_list("code", "name"))
    context = {
        "form": form,
        "region": region,
        "data": data,
        "clusters": selectors.clusters(cache=cache, **args),
        "chart": charts.bar_chart(series, categories),
        "series": series,
        "feed": selectors.feed(region=region, **args),
        "latest": selectors.latest(region=region, **args),
        "rule": [(k, selectors.SITUATION_LABELS[k], text) for k, text in selectors.SITUATION_RULE],
        "ancestors": selectors.ancestors(user, region),
        "map_query": _query(request, region=region.code),
        "filter_query": _query(request, region=None),
        "now": now,
    }
    template = "dashboard/_panels.html" if request.htmx else "dashboard/page.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@replica_reads()
def map_geojson(request):
    _form, region, filters, now = _parse(request)
    data = selectors.map_geojson(user=request.user, region=region, **filters, now=now)
    return JsonResponse(
        data,
        encoder=DjangoJSONEncoder,
        content_type="application/geo+json",
        json_dumps_params={"ensure_ascii": False},
    )
