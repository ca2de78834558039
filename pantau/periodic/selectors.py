"""Reads of periodic reports, and who may do what with one. Every rule is here (never in a
template): the pages and the API ask `permissions(user, report)`.

Who may request, see and sign what:
  kecamatan report   requested and seen by whoever's territory holds the kecamatan (admin, the Pj
                     Bupati, the Asisten of its cluster, the camat); submitted by its camat
  cluster report     requested and seen by admin, the Pj Bupati and the cluster's Asisten;
                     submitted by that Asisten
  kabupaten report   requested and seen by admin, the Pj Bupati and the three Asisten; submitted
                     by any Asisten of the operation (the coordinators sign the desk's report)
  receiving          the Pj Bupati only: the record proves what the regent received.
The administrator requests and sees everything but neither submits nor receives: those are the
officials' acts.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from pantau.accounts import access
from pantau.accounts.access import Action
from pantau.instruction.models import Cluster, Role
from pantau.lib.errors import NotFound
from pantau.periodic.models import PeriodicReport, ReportFile, ReportStatus, Scope
from pantau.regions.models import Region

REQUESTERS = (Role.ADMIN, Role.BUPATI, Role.COORDINATOR, Role.CAMAT)


def _is_admin(user) -> bool:
    return bool(user.is_superuser or user.role == Role.ADMIN)


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def may_cover(user, *, scope: str, region: Region, cluster: Cluster | None) -> bool:
    """May `user` request (and so see) a report of this scope on this region or cluster?"""
    if not _active(user) or Action.READ not in access.allowed_actions(user):
        return False
    if _is_admin(user):
        return True
    if user.role not in REQUESTERS:
        return False
    if scope == Scope.KECAMATAN:
        return access.territory(user).contains(region.code)
    if scope == Scope.CLUSTER:
        return access.visible_clusters(user).filter(pk=cluster.pk).exists()
    # kabupaten
    if user.role == Role.BUPATI:
        return access.territory(user).contains(region.code)
    if user.role == Role.COORDINATOR and user.position_id:
        return Cluster.objects.filter(
            coordinator_id=user.position_id, operation__region=region
        ).exists()
    return False


def reports_for(user) -> QuerySet[PeriodicReport]:
    """The periodic reports `user` may see."""
    if not _active(user):
        return PeriodicReport.objects.none()
    reports = PeriodicReport.objects.all()
    if _is_admin(user):
        return reports
    if user.role not in REQUESTERS:
        return reports.none()
    terr = access.territory(user)
    query = Q(scope=Scope.KECAMATAN) & terr.q("region__code")
    query |= Q(scope=Scope.CLUSTER, cluster__in=access.visible_clusters(user))
    if user.role == Role.BUPATI:
        query |= Q(scope=Scope.KABUPATEN) & terr.q("region__code")
    if user.role == Role.COORDINATOR and user.position_id:
        query |= Q(
            scope=Scope.KABUPATEN,
            region__operations__clusters__coordinator_id=user.position_id,
        )
    if user.role == Role.CAMAT:
        query = Q(scope=Scope.KECAMATAN) & terr.q("region__code")
    return reports.filter(query).distinct()


def report_for(user, pk) -> PeriodicReport:
    """The report `pk` if `user` may see it; NotFound for missing and forbidden alike."""
    report = (
        reports_for(user)
        .filter(pk=pk)
        .select_related("operation", "region", "cluster", "created_by", "submitted_by")
        .first()
    )
    if report is None:
        raise NotFound(_("Periodic report not found, or outside your territory."))
    return report


def file_for(user, pk, fmt: str) -> ReportFile:
    report = report_for(user, pk)
    item = report.files.filter(format=fmt).first()
    if item is None:
        raise NotFound(_("This file does not exist (yet)."))
    return item


def may_sign(user, report: PeriodicReport) -> bool:
    """The official who submits (signs) this report: see the module's docstring."""
    if not _active(user) or not user.position_id or not user.position.is_active:
        return False
    if report.scope == Scope.KECAMATAN:
        return user.role == Role.CAMAT and user.position.region_id == report.region_id
    if report.scope == Scope.CLUSTER:
        return user.role == Role.COORDINATOR and report.cluster.coordinator_id == user.position_id
    return (
        user.role == Role.COORDINATOR
        and Cluster.objects.filter(
            operation=report.operation, coordinator_id=user.position_id
        ).exists()
    )


def may_receive(user, report: PeriodicReport) -> bool:
    return bool(
        _active(user)
        and user.role == Role.BUPATI
        and access.territory(user).contains(report.operation.region.code)
    )


@dataclass(frozen=True)
class Permissions:
    edit_recommendations: bool
    submit: bool
    receive: bool


def permissions(user, report: PeriodicReport) -> Permissions:
    """What `user` may do on `report` now (its state and their role)."""
    signer = may_sign(user, report)
    return Permissions(
        edit_recommendations=signer and report.status == ReportStatus.DRAFT,
        submit=signer and report.status == ReportStatus.DRAFT,
        receive=may_receive(user, report) and report.status == ReportStatus.SUBMITTED,
    )


def requestable_clusters(user) -> QuerySet[Cluster]:
    return access.visible_clusters(user).order_by("order")


def requestable_regions(user) -> QuerySet[Region]:
    """Kecamatan (and the kabupaten) the user may request a report for."""
    if not _active(user) or user.role not in REQUESTERS and not _is_admin(user):
        return Region.objects.none()
    regions = access.visible_regions(user).filter(level__in=["kecamatan", "kabupaten"])
    if user.role == Role.COORDINATOR and user.position_id:
        kabupaten = Region.objects.filter(
            operations__clusters__coordinator_id=user.position_id
        ).values("pk")
        regions = Region.objects.filter(Q(pk__in=regions.values("pk")) | Q(pk__in=kabupaten))
    return regions.order_by("code").distinct()
