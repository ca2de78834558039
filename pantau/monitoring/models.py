import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pantau.lib.clock import aware


class Situation(models.TextChoices):
    AMAN = "aman", _("safe (aman)")
    WASPADA = "waspada", _("alert (waspada)")
    RAWAN = "rawan", _("critical (rawan)")


class Channel(models.TextChoices):
    WEB = "web", _("web")
    API = "api", _("API")
    ODK = "odk", _("ODK Collect")
    WHATSAPP = "whatsapp", _("WhatsApp")
    TELEGRAM = "telegram", _("Telegram")
    SMS = "sms", _("SMS")


class Report(models.Model):
    """A field monitoring report (laporan pemantauan): what someone saw, where and when."""

    client_id = models.UUIDField(
        _("client id"),
        unique=True,
        help_text=_("made by the sending device; the same id sent again is the same report"),
    )
    # Each index is one more page written by every report on voting day: the two keys below
    # have none of their own; they lead the indexes on (operation, observed_at) and
    # (region, observed_at), which serve them.
    operation = models.ForeignKey(
        "instruction.Operation",
        on_delete=models.PROTECT,
        related_name="reports",
        db_index=False,
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="reports",
        db_index=False,
    )
    tps = models.CharField(_("TPS number"), max_length=8, blank=True)
    stage = models.ForeignKey(
        "instruction.Stage",
        verbose_name=_("stage"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    checklist = models.ForeignKey(
        "instruction.Checklist",
        verbose_name=_("checklist"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="reports",
        db_index=False,  # (it leads the index on author and received_at)
    )
    observed_at = models.DateTimeField(_("observed at"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    situation = models.CharField(_("situation"), max_length=8, choices=Situation.choices)
    answers = models.JSONField(_("checklist answers"), default=dict, blank=True)
    checklist_complete = models.BooleanField(
        _("checklist complete"),
        default=True,
        help_text=_(
            "false while a report sent by message still waits for answers to required questions"
        ),
    )
    narrative = models.TextField(_("narrative"), blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    location_flagged = models.BooleanField(
        _("location far outside the region"),
        default=False,
    )
    location_distance_km = models.FloatField(
        _("distance outside the region (km)"), null=True, blank=True
    )

    class Meta:
        ordering = ["-observed_at", "-id"]
        indexes = [
            models.Index(fields=["region", "observed_at"]),
            models.Index(fields=["operation", "observed_at"]),
            models.Index(fields=["situation", "observed_at"]),
            # the rollups' tail and the compliance counts (time received)
            models.Index(fields=["received_at"]),
            # the dashboard's latest reports, feed and map markers: newest first, LIMITed
            models.Index(fields=["observed_at", "id"], name="report_observed_id"),
            # the compliance slots: the reports of the responsible users in a period
            models.Index(fields=["author", "received_at"], name="report_author_received"),
        ]
        verbose_name = _("field report")
        verbose_name_plural = _("field reports")

    def __str__(self) -> str:
        return f"{self.region.name} · {self.situation} · {self.observed_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("report", args=[self.pk])


MAX_PHOTOS = 3  # photos a report may carry, on every channel (the ODK form's photo1..photo3)


def photo_path(instance, filename: str) -> str:
    # Never a name or path from the client: a random name under the date.
    return timezone.now().strftime(f"photos/%Y/%m/{uuid.uuid4().hex}.jpg")


def upload_path(instance, filename: str) -> str:
    return f"incoming/{uuid.uuid4().hex}"


class Photo(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("being processed")
        READY = "ready", _("ready")
        FAILED = "failed", _("unreadable")

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    original = models.FileField(upload_to=upload_path, blank=True)
    image = models.ImageField(upload_to=photo_path, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    lat = models.FloatField(_("latitude (EXIF)"), null=True, blank=True)
    lon = models.FloatField(_("longitude (EXIF)"), null=True, blank=True)
    taken_at = models.DateTimeField(_("taken at (EXIF)"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The batch of photos added afterwards from the web form (the phone's outbox may send it
    # twice); empty for the photos that came with the report. Looked up within one report's
    # photos (at most MAX_PHOTOS, by the report's index): no index of its own.
    client_id = models.UUIDField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return f"{self.report_id}/{self.pk}"

    def take(self, picture: dict) -> None:
        """Ready, with the facts of the picture kept (`lib.images.clean_copy` or `reencode`):
        its size, and the EXIF location and camera time (the camera's clock is WIB's)."""
        self.width, self.height = picture["width"], picture["height"]
        self.lat, self.lon = picture["lat"], picture["lon"]
        self.taken_at = aware(picture["taken_at"]) if picture["taken_at"] else None
        self.status = Photo.Status.READY
