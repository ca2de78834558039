"""Reads of the instruction's structure. Callers pass regions they already got from access."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import F, Prefetch, QuerySet

from pantau.instruction import operations
from pantau.instruction.models import READABLE, Assignment, Cluster, Operation, Position, Stage
from pantau.lib.clock import local_date
from pantau.regions.models import Region, within


def active_operations() -> QuerySet[Operation]:
    return Operation.objects.filter(status=Operation.Status.ACTIVE).select_related("region")


def clusters_with_kecamatan(clusters: QuerySet[Cluster]) -> QuerySet[Cluster]:
    """With their coordinator's seat and kecamatan; `with_coordinators` names who holds it."""
    return clusters.select_related("coordinator", "operation").prefetch_related(
        Prefetch("kecamatan", queryset=Region.objects.order_by("name")),
    )


def with_coordinators(clusters: Iterable[Cluster]) -> list[Cluster]:
    """The clusters, each with `holders`: the active accounts holding its coordinator's seat,
    by username. A seat is its position's code in the operation's region (as
    `problems.owners` finds a problem's owner): the Asisten Pemkesra of the Pilkada
    coordinates the Pilkades' cluster of that seat, and a cluster of another operation or
    region with a seat of the same code is not theirs. One query for all the clusters."""
    clusters = list(clusters)
    if not clusters:
        return clusters
    holders = (
        get_user_model()
        .objects.filter(
            is_active=True,
            position__is_active=True,
            position__code__in={c.coordinator.code for c in clusters},
            position__operation__region_id__in={c.operation.region_id for c in clusters},
        )
        .annotate(seat=F("position__code"), seat_region=F("position__operation__region_id"))
        .order_by("username")
    )
    by_seat: dict[tuple, list] = {}
    for user in holders:
        by_seat.setdefault((user.seat, user.seat_region), []).append(user)
    for cluster in clusters:
        cluster.holders = by_seat.get((cluster.coordinator.code, cluster.operation.region_id), [])
    return clusters


def kecamatan_officials(kecamatan: Region) -> dict:
    """Who serves a kecamatan under the readable operations: its clusters' coordinators, the
    camat, the Kepala OPD assigned to it. A seat is its code in the region, so the camat of
    two operations is one camat and an OPD assigned by both is listed once."""
    clusters = with_coordinators(
        Cluster.objects.filter(kecamatan=kecamatan, operation__status__in=READABLE)
        .select_related("coordinator", "operation")
        .order_by("operation_id", "order")
    )
    camat: dict[str, dict] = {}
    for position in (
        Position.objects.filter(
            region=kecamatan, role="camat", is_active=True, operation__status__in=READABLE
        )
        .prefetch_related("holders")
        .order_by("operation_id")
    ):
        seat = camat.setdefault(position.code, {"title": position.title, "holders": []})
        seat["holders"] += [h for h in position.holders.all() if h not in seat["holders"]]
    opd = (
        Assignment.objects.filter(kecamatan=kecamatan, operation__status__in=READABLE)
        .select_related("agency")
        .order_by("agency__name")
    )
    return {
        "clusters": _first_of_each(clusters, lambda c: c.coordinator.code),
        "camat": list(camat.values()),
        "opd": _first_of_each(opd, lambda a: a.agency_id),
    }


def _first_of_each(items, key) -> list:
    first: dict = {}
    for item in items:
        first.setdefault(key(item), item)
    return list(first.values())


def operation_for_region(region: Region) -> Operation | None:
    """The first active operation whose territory holds `region` (a read that needs one; a
    write asks `operation_for`, which also weighs the time)."""
    for operation in active_operations():
        if operations.holds(operation, region):
            return operation
    return None


def operation_for(region: Region, moment, code: str | None = None) -> Operation:
    """The operation a write about `region` at `moment` belongs to (`operations.resolve`)."""
    return operations.resolve(
        region,
        moment,
        active=list(active_operations()),
        stages=lambda op: list(op.stages.filter(is_active=True)),
        code=code,
    )


def desk_operations(region: Region) -> list[Operation]:
    """The readable operations (active or closed) with some of their territory in `region`
    (the nation: all of them), in the order they were loaded: what the desk chooses among."""
    found = Operation.objects.filter(status__in=READABLE).select_related("region").order_by("pk")
    return [
        op
        for op in found.defer("region__geometry")
        if region.is_nation
        or within(op.region.code, region.code)
        or operations.holds(op, region)
        or any(within(code, region.code) for code in op.territory or ())
    ]


def desk_operation(
    region: Region, moment, code: str | None = None, found: list[Operation] | None = None
) -> Operation | None:
    """The operation the desk (dashboard, compliance, periodic reports) shows for `region`:
    `code` when given (one of `desk_operations`, else Invalid naming the field), else the
    current one at `moment` (`operations.current`); None when no operation is in the region.
    `found`: `desk_operations(region)` when the caller has them."""
    found = desk_operations(region) if found is None else found
    if code:
        chosen = next((op for op in found if op.code == code), None)
        if chosen is None:
            raise operations.unknown(code)
        return chosen
    return operations.current(found, moment, lambda op: list(op.stages.filter(is_active=True)))


def stage_for(operation: Operation, moment) -> Stage | None:
    """The stage whose WIB dates hold `moment`; outside every stage, the nearest one."""
    day = local_date(moment)
    stages = list(operation.stages.filter(is_active=True))
    for stage in stages:
        if stage.starts_on <= day <= stage.ends_on:
            return stage
    return min(
        stages,
        key=lambda s: min(abs((s.starts_on - day).days), abs((s.ends_on - day).days)),
        default=None,
    )
