"""What storing a report needs from the instruction and the regions, kept per process.

Every report asks which active operation covers its region, which stage its time falls in, the
stage's checklist, and the region by its code. These change a few times per election (a loaded
instruction or regions file, an edit in the admin), while reports come in by the hundred per
second on voting day; asking the database each time was a third of a report's cost.

The answers are kept in this process for `TTL` seconds. A save or delete of an operation, stage,
checklist or region (the admin, the loaders) empties this process's copy at once; other
processes (the other gunicorn workers) see the change within `TTL` seconds. The kept objects
are shared between threads and must be treated as read-only. Regions are kept without their
boundary (`geometry`, the one large field): the location check asks for it only when a report
has a location.

The copy is only used and filled outside a transaction (autocommit, as the API and the web
views run), so that it never holds rows of a transaction that may still roll back; inside one
(an outer `atomic`, a test) the database is asked directly, as before.
"""

import threading
import time
from dataclasses import dataclass, field

from django.db.models.signals import post_delete, post_save
from shapely.geometry import shape

from pantau.instruction import operations, selectors
from pantau.instruction.models import Checklist, Operation, Stage
from pantau.lib import kept
from pantau.lib.clock import local_date
from pantau.lib.kept import Kept
from pantau.regions.models import Region

TTL = 10.0  # seconds another process may keep using a changed stage, checklist or region
MAX_REGIONS = 200_000  # a national election's villages and kecamatan fit; then start over


@dataclass
class _Structure:
    loaded_at: float
    operations: list[Operation]
    stages: dict[int, list[Stage]] = field(default_factory=dict)  # by operation id, in order
    first_checklist: dict[int, Checklist] = field(default_factory=dict)  # by stage id


_lock = threading.Lock()
_structure: _Structure | None = None
_regions: dict[str, tuple[float, Region]] = {}


def clear(**kwargs) -> None:
    """Forget everything kept (a signal receiver: any arguments)."""
    global _structure
    with _lock:
        _structure = None
        _regions.clear()
    _boundaries.clear()


kept.also_clear(clear)
for _model in (Operation, Stage, Checklist, Region):
    post_save.connect(clear, sender=_model, dispatch_uid=f"report-lookups-{_model.__name__}")
    post_delete.connect(clear, sender=_model, dispatch_uid=f"report-lookups-del-{_model.__name__}")


def enabled() -> bool:
    """Whether the kept copy may be used: only outside a transaction (see the module's doc)."""
    return kept.enabled()


def region(code: str) -> Region | None:
    """The region with `code` (its boundary deferred), or None. No access check: callers pass
    it to `accounts.access.can`."""
    if not enabled():
        return Region.objects.defer("geometry").filter(code=code).first()
    now = time.monotonic()
    kept = _regions.get(code)
    if kept is not None and now - kept[0] < TTL:
        return kept[1]
    found = (
        Region.objects.select_related("parent")
        .defer("geometry", "parent__geometry")
        .filter(code=code)
        .first()
    )
    if found is not None:
        with _lock:
            if len(_regions) >= MAX_REGIONS:
                _regions.clear()
            _regions[code] = (now, found)
    return found


def boundary(region: Region):
    """The boundary to check a location against, as a shapely geometry: the region's, else its
    parent's (a village without a drawn boundary); None when neither has one. Kept per process
    (pantau.lib.kept), read-only."""

    def build():
        row = (
            Region.objects.filter(pk=region.pk).values_list("geometry", "parent__geometry").first()
        )
        geometry = row and (row[0] or row[1])
        return shape(geometry) if geometry else None

    return _boundaries.get(region.pk, build)


_boundaries = Kept("region-boundaries", models=(Region,), max_size=MAX_REGIONS)


def operation_for(region: Region, moment, code: str | None = None) -> Operation:
    """The operation a report about `region` observed at `moment` belongs to
    (instruction.selectors' operation_for, kept)."""
    structure = _current()
    if structure is None:
        return selectors.operation_for(region, moment, code)
    return operations.resolve(
        region,
        moment,
        active=structure.operations,
        stages=lambda op: structure.stages.get(op.pk, []),
        code=code,
    )


def stage_for(operation: Operation, moment) -> Stage | None:
    """The stage whose WIB dates hold `moment`, else the nearest (instruction.selectors'
    stage_for, kept)."""
    structure = _current()
    if structure is None:
        return selectors.stage_for(operation, moment)
    day = local_date(moment)
    stages = structure.stages.get(operation.pk, [])
    for stage in stages:
        if stage.starts_on <= day <= stage.ends_on:
            return stage
    return min(
        stages,
        key=lambda s: min(abs((s.starts_on - day).days), abs((s.ends_on - day).days)),
        default=None,
    )


def first_checklist(stage: Stage) -> Checklist | None:
    """The stage's first active checklist (what a report without one gets)."""
    structure = _current()
    if structure is None:
        return stage.checklists.filter(is_active=True).first()
    if stage.operation_id not in structure.stages:  # a stage of an inactive operation
        return stage.checklists.filter(is_active=True).first()
    return structure.first_checklist.get(stage.pk)


def _current() -> _Structure | None:
    global _structure
    if not enabled():
        return None
    now = time.monotonic()
    kept = _structure
    if kept is not None and now - kept.loaded_at < TTL:
        return kept
    active = list(
        Operation.objects.filter(status=Operation.Status.ACTIVE)
        .select_related("region")
        .defer("region__geometry")
    )
    loaded = _Structure(loaded_at=now, operations=active)
    ids = [op.pk for op in active]
    for stage in Stage.objects.filter(is_active=True, operation_id__in=ids).order_by(
        "operation", "order", "starts_on"
    ):
        loaded.stages.setdefault(stage.operation_id, []).append(stage)
    for operation_id in ids:
        loaded.stages.setdefault(operation_id, [])
    for checklist in Checklist.objects.filter(is_active=True, operation_id__in=ids).order_by(
        "operation", "stage__order", "order", "pk"
    ):
        if checklist.stage_id is not None:
            loaded.first_checklist.setdefault(checklist.stage_id, checklist)
    with _lock:
        _structure = loaded
    return loaded
