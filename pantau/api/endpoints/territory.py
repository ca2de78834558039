"""Who am I, and where: GET /me, /regions, /regions/{code}, /clusters."""

from ninja import Path, Query, Router

from pantau.accounts import access
from pantau.api import lookups, output, queries
from pantau.api.errors import errors
from pantau.api.schemas import (
    ClusterFilters,
    ClusterList,
    MeOut,
    RegionCode,
    RegionDetail,
    RegionFilters,
    RegionList,
)
from pantau.channels.selectors import linked_channels
from pantau.instruction import selectors as instruction

router = Router()


@router.get("/me", response={200: MeOut, **errors(401)}, tags=["territory"])
def me(request):
    """The caller, their role and the roots of their territory (for an administrator: the
    regions of the active operations)."""
    user = request.auth
    return {
        "username": user.username,
        "full_name": user.get_full_name(),
        "role": user.role,
        "regions": list(access.top_regions(user).order_by("code").values_list("code", flat=True)),
        "agency": user.agency.code if user.agency_id else None,
        "level": access.user_level(user),
        "phone": user.phone or None,
        "channels": linked_channels(user),
    }


@router.get("/regions", response={200: RegionList, **errors(400, 401)}, tags=["territory"])
def regions(request, filters: Query[RegionFilters]):
    """The regions of the caller's territory, optionally the children of `parent` or one
    `level` (kabupaten, kecamatan, desa, tps)."""
    found = queries.regions(request.auth, parent=filters.parent, level=filters.level)
    items = [output.region_row(r) for r in found]
    return {"items": items, "count": len(items)}


@router.get(
    "/regions/{code}", response={200: RegionDetail, **errors(400, 401, 404)}, tags=["territory"]
)
def region(request, code: Path[RegionCode], geometry: bool = False):
    """One region of the caller's territory (404 outside it); its boundary with ?geometry=1."""
    found = access.get_region(request.auth, code)
    return output.region_detail(found, geometry=geometry)


@router.get("/clusters", response={200: ClusterList, **errors(400, 401)}, tags=["territory"])
def clusters(request, filters: Query[ClusterFilters]):
    """The coordination clusters the caller sees, with their Asisten and kecamatan, of every
    operation in use (`?operation=CODE`: of one)."""
    found = instruction.clusters_with_kecamatan(access.visible_clusters(request.auth))
    if operation := lookups.operation_filter(filters.operation):
        found = found.filter(operation=operation)
    ordered = instruction.with_coordinators(found.order_by("order", "pk"))
    items = [output.cluster_row(c) for c in ordered]
    return {"items": items, "count": len(items)}
