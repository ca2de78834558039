"""Reads of the instruction's structure. Callers pass regions they already got from access."""

from django.db.models import Prefetch, QuerySet

from pantau.instruction.models import Assignment, Cluster, Operation, Position, Stage
from pantau.lib.clock import local_date
from pantau.regions.models import Region


def active_operations() -> QuerySet[Operation]:
    return Operation.objects.filter(is_active=True).select_related("region")


def clusters_with_kecamatan(clusters: QuerySet[Cluster]) -> QuerySet[Cluster]:
    return clusters.select_related("coordinator").prefetch_related(
        Prefetch("kecamatan", queryset=Region.objects.order_by("name")),
        "coordinator__holders",
    )


def kecamatan_officials(kecamatan: Region) -> dict:
    """Who serves a kecamatan under the active instruction: cluster, camat, Kepala OPD."""
    return {
        "clusters": list(
            Cluster.objects.filter(kecamatan=kecamatan, operation__is_active=True)
            .select_related("coordinator")
            .prefetch_related("coordinator__holders")
        ),
        "camat": list(
            Position.objects.filter(
                region=kecamatan, role="camat", is_active=True, operation__is_active=True
            ).prefetch_related("holders")
        ),
        "opd": list(
            Assignment.objects.filter(kecamatan=kecamatan, operation__is_active=True)
            .select_related("agency")
            .order_by("agency__name")
        ),
    }


def operation_for_region(region: Region) -> Operation | None:
    """The active operation whose territory holds `region`."""
    for operation in active_operations():
        if region.is_within(operation.region.code):
            return operation
    return None


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
