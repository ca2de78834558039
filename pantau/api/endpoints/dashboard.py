"""The dashboard's data: GET /dashboard and GET /map.geojson, the same selectors as the page."""

from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from pantau.api.errors import errors
from pantau.api.schemas_dashboard import DashboardFilters, DashboardOut, MapOut
from pantau.dashboard import selectors
from pantau.figures import desk
from pantau.lib.dbrouter import replica_reads
from pantau.lib.errors import NotFound

router = Router(tags=["dashboard"])


def _filters(user, filters: DashboardFilters) -> tuple[dict, desk.Choice]:
    """The selectors' arguments and the operation shown (`figures.desk`, as the page)."""
    region = selectors.dashboard_region(user, filters.region)
    asked = QueryDict(mutable=True)
    if filters.operation:
        asked["operation"] = filters.operation
    choice = desk.choose(region, desk.shown(filters.since or filters.until, timezone.now()), asked)
    stage = category = None
    if filters.stage:
        stages = selectors.stages().filter(code=filters.stage)
        if choice.chosen is not None:  # a stage code may be another operation's too
            stages = stages.filter(operation=choice.chosen)
        stage = stages.first()
        if stage is None:
            raise NotFound(_("Stage not found."))
    if filters.category:
        category = selectors.categories().filter(code=filters.category).first()
        if category is None:
            raise NotFound(_("Category not found."))
    args = {
        "user": user,
        "region": region,
        "since": filters.since,
        "until": filters.until,
        "stage": stage,
        "category": category,
        "operation": choice.filter,
    }
    return args, choice


@router.get("/dashboard", response={200: DashboardOut, **errors(400, 401, 404)})
@replica_reads()
def dashboard(request, filters: Query[DashboardFilters]):
    """The figures of a region as the caller sees it (by default their top region): situation,
    totals, open problems by severity and category, and each child region of the territory."""
    args, choice = _filters(request.auth, filters)
    found = selectors.summary(**args)
    found["operation"] = choice.chosen.code if choice.chosen else None
    return found


@router.get("/map.geojson", response={200: MapOut, **errors(400, 401, 404)})
@replica_reads()
def dashboard_map(request, filters: Query[DashboardFilters]):
    """The children of a region as a GeoJSON FeatureCollection with the figures of /dashboard
    as properties, plus the region's outline and located reports and open problems."""
    return selectors.map_geojson(**_filters(request.auth, filters)[0])
