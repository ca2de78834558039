"""Reads of the instruction's structure. Callers pass regions they already got from access."""

from django.db.models import Prefetch, QuerySet

from pantau.instruction.models import Assignment, Cluster, Operation, Position
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
