"""Reads of periodic reports, and what a user may do with one now. The rules themselves live
in accounts.access (never in a template): the pages and the API ask `permissions(user, report)`.

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

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from pantau.accounts import access
from pantau.instruction.models import Cluster
from pantau.lib.errors import NotFound
from pantau.periodic.models import PeriodicReport, ReportFile, ReportStatus

# Who may request, see, sign and receive is decided in accounts.access (see its docstring).
may_cover = access.may_cover_periodic
reports_for = access.periodic_reports_for
may_sign = access.may_sign_periodic
may_receive = access.may_receive_periodic
requestable_regions = access.periodic_requestable_regions


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
