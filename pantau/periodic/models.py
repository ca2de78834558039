"""The periodic report (laporan berkala) to the Pj Bupati and its files.

A report is requested for a kecamatan, a cluster or the kabupaten over a period of WIB dates; the
task queue renders its three files (PDF, DOCX, XLSX). Its life: generating -> draft (the
coordinator or camat enters recommendations: each change renders the files again) -> submitted
(the files are frozen: their sha256 is stored and they are never rendered again) -> received by
the Pj Bupati. A file whose bytes no longer match the stored hash is refused on download.
"""

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pantau.lib.clock import WIB


class Scope(models.TextChoices):
    KECAMATAN = "kecamatan", _("kecamatan")
    CLUSTER = "cluster", _("coordination cluster")
    KABUPATEN = "kabupaten", _("regency (kabupaten)")


class ReportStatus(models.TextChoices):
    GENERATING = "generating", _("being generated")
    FAILED = "failed", _("generation failed")
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    RECEIVED = "received", _("received")


class Format(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "DOCX"
    XLSX = "xlsx", "XLSX"


FORMATS = [Format.PDF, Format.DOCX, Format.XLSX]
CONTENT_TYPES = {
    Format.PDF: "application/pdf",
    Format.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class PeriodicReport(models.Model):
    operation = models.ForeignKey(
        "instruction.Operation", on_delete=models.PROTECT, related_name="periodic_reports"
    )
    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="periodic_reports",
        help_text=_("the kecamatan, or the kabupaten for a cluster or kabupaten report"),
    )
    cluster = models.ForeignKey(
        "instruction.Cluster",
        verbose_name=_("coordination cluster"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="periodic_reports",
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    # the date the letter carries (tanggal surat); None: the day it was requested
    letter_date = models.DateField(_("letter date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.GENERATING
    )
    recommendations = models.TextField(_("recommendations"), blank=True)
    # The letter's number (nomor surat): the operation's pattern filled with a sequence that
    # starts again each year (the year the report was requested, WIB); see numbering.py.
    number = models.CharField(_("number"), max_length=100, blank=True)
    number_year = models.PositiveSmallIntegerField(null=True, blank=True)
    number_seq = models.PositiveIntegerField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)
    error = models.TextField(_("error"), blank=True)
    schedule_key = models.CharField(max_length=200, blank=True)
    schedule_day = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    generated_at = models.DateTimeField(_("generated at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("received by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["schedule_key", "schedule_day"],
                condition=Q(schedule_key__gt=""),
                name="periodic_report_once_per_schedule_day",
            ),
            models.UniqueConstraint(
                fields=["number_year", "number_seq"],
                condition=Q(number_seq__isnull=False),
                name="periodic_report_number_unique",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="periodic_report_period_ordered",
            ),
        ]
        verbose_name = _("periodic report")
        verbose_name_plural = _("periodic reports")

    def __str__(self) -> str:
        return f"{self.subject} {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("periodic-report", args=[self.pk])

    @property
    def subject(self) -> str:
        """What the report is about: 'Kecamatan Tongas', the cluster's name, the kabupaten."""
        if self.scope == Scope.CLUSTER and self.cluster_id:
            return self.cluster.name
        return self.region.title

    @property
    def since(self) -> dt.datetime:
        return dt.datetime.combine(self.period_start, dt.time.min, tzinfo=WIB)

    @property
    def until(self) -> dt.datetime:
        """The end of the period, exclusive: midnight WIB after its last day."""
        return dt.datetime.combine(self.period_end + dt.timedelta(days=1), dt.time.min, tzinfo=WIB)

    @property
    def is_ready(self) -> bool:
        return self.status not in (ReportStatus.GENERATING, ReportStatus.FAILED)


class NumberSequence(models.Model):
    """The last letter number given in a year: one row a year, locked while a number is taken,
    so that numbers are unique and leave no gap (a request that fails rolls its number back)."""

    year = models.PositiveSmallIntegerField(unique=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("letter number sequence")
        verbose_name_plural = _("letter number sequences")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


def report_file_path(instance, filename: str) -> str:
    # Never a name from outside: a random name under the date.
    return timezone.now().strftime(f"periodic/%Y/%m/{uuid.uuid4().hex}.{instance.format}")


class ReportFile(models.Model):
    report = models.ForeignKey(PeriodicReport, on_delete=models.CASCADE, related_name="files")
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    file = models.FileField(upload_to=report_file_path)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    frozen = models.BooleanField(_("frozen"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["report", "format"]
        constraints = [
            models.UniqueConstraint(fields=["report", "format"], name="report_file_format_unique"),
        ]
        verbose_name = _("periodic report file")
        verbose_name_plural = _("periodic report files")

    def __str__(self) -> str:
        return f"{self.report_id}.{self.format}"

    def get_absolute_url(self) -> str:
        return reverse("periodic-file", args=[self.report_id, self.format])
