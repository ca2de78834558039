"""The instruction's lists: GET /categories, /agencies, /stages, /checklists."""

from ninja import Query, Router

from pantau.api import lookups, queries
from pantau.api.errors import errors
from pantau.api.schemas import (
    AgencyList,
    CategoryList,
    ChecklistFilters,
    ChecklistList,
    StageFilters,
    StageList,
)
from pantau.instruction.models import Agency, Category
from pantau.monitoring import selectors as report_selectors

router = Router(tags=["instruction"])


@router.get("/categories", response={200: CategoryList, **errors(401)})
def categories(request):
    """The problem categories in use."""
    return {"items": list(Category.objects.filter(is_active=True).values("code", "name"))}


@router.get("/agencies", response={200: AgencyList, **errors(401)})
def agencies(request):
    """The agencies (OPD and external) a problem may be referred to."""
    found = Agency.objects.filter(is_active=True).order_by("kind", "name")
    return {"items": list(found.values("code", "name", "short_name", "kind"))}


@router.get("/stages", response={200: StageList, **errors(400, 401)})
def stages(request, filters: Query[StageFilters]):
    """The active stages of the operations in use (active and closed), by operation and in
    calendar order; `?operation=CODE` keeps one operation's."""
    found = report_selectors.stages()
    if operation := lookups.operation_filter(filters.operation):
        found = found.filter(operation=operation)
    rows = found.values("code", "operation__code", "name", "starts_on", "ends_on")
    return {"items": [{**row, "operation": row.pop("operation__code")} for row in rows]}


@router.get("/checklists", response={200: ChecklistList, **errors(400, 401)})
def checklists(request, filters: Query[ChecklistFilters]):
    """The checklists of the active stages (of one stage with ?stage=CODE) and their
    questions."""
    return {
        "items": [
            {
                "code": c.code,
                "operation": c.operation.code,
                "stage": c.stage.code,
                "name": c.name,
                "questions": c.questions,
            }
            for c in queries.checklists(filters.stage, lookups.operation_filter(filters.operation))
        ]
    }
