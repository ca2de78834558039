"""The instruction's lists: GET /categories, /agencies, /stages, /checklists."""

from ninja import Query, Router

from pantau.api import queries
from pantau.api.errors import errors
from pantau.api.schemas import (
    AgencyList,
    CategoryList,
    ChecklistFilters,
    ChecklistList,
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


@router.get("/stages", response={200: StageList, **errors(401)})
def stages(request):
    """The active stages of the active operation, in calendar order."""
    found = report_selectors.stages()
    return {"items": list(found.values("code", "name", "starts_on", "ends_on"))}


@router.get("/checklists", response={200: ChecklistList, **errors(400, 401)})
def checklists(request, filters: Query[ChecklistFilters]):
    """The checklists of the active stages (of one stage with ?stage=CODE) and their
    questions."""
    return {
        "items": [
            {"code": c.code, "stage": c.stage.code, "name": c.name, "questions": c.questions}
            for c in queries.checklists(filters.stage)
        ]
    }
