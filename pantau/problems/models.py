import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    RENDAH = "rendah", _("low (rendah)")
    SEDANG = "sedang", _("medium (sedang)")
    TINGGI = "tinggi", _("high (tinggi)")
    KRITIS = "kritis", _("critical (kritis)")


# The one order of severity, the most severe first: kritis, tinggi, sedang, rendah.
SEVERITY_ORDER = [s.value for s in reversed(Severity)]


class Status(models.TextChoices):
    BARU = "baru", _("new (baru)")
    DIVERIFIKASI = "diverifikasi", _("verified (diverifikasi)")
    DITANGANI = "ditangani", _("being handled (ditangani)")
    SELESAI = "selesai", _("solved (selesai)")
    DITOLAK = "ditolak", _("rejected (ditolak)")
    DUPLIKAT = "duplikat", _("duplicate (duplikat)")


OPEN = (Status.BARU, Status.DIVERIFIKASI, Status.DITANGANI)


class Level(models.TextChoices):
    """Who is responsible, from the village up to the Pj Bupati."""

    DESA = "desa", _("village (desa)")
    KECAMATAN = "kecamatan", _("kecamatan")
    KOORDINATOR = "koordinator", _("coordinator (Asisten)")
    KABUPATEN = "kabupaten", _("regency (Pj Bupati)")


LEVELS = list(Level)


class Problem(models.Model):
    """One entry of the problem inventory (inventarisasi permasalahan)."""

    client_id = models.UUIDField(_("client id"), unique=True, default=uuid.uuid4)
    operation = models.ForeignKey(
        "instruction.Operation", on_delete=models.PROTECT, related_name="problems"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        "instruction.Category",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="problems",
    )
    severity = models.CharField(_("severity"), max_length=8, choices=Severity.choices)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="problems",
    )
    tps = models.CharField(_("TPS number"), max_length=8, blank=True)
    stage = models.ForeignKey(
        "instruction.Stage",
        verbose_name=_("stage"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="problems",
    )
    report = models.ForeignKey(
        "monitoring.Report",
        verbose_name=_("source report"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="problems",
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reporter"),
        on_delete=models.PROTECT,
        related_name="reported_problems",
    )
    suggestion = models.TextField(_("suggestion (saran)"), blank=True)
    solution = models.TextField(_("solution / follow-up (solusi / tindak lanjut)"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.BARU
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_problems",
    )
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("duplicate of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="duplicates",
    )
    acknowledge_due_at = models.DateTimeField(_("verify by"))
    resolve_due_at = models.DateTimeField(_("resolve by"))
    acknowledge_escalated = models.BooleanField(default=False)
    resolve_escalated = models.BooleanField(default=False)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "level"]),
            models.Index(fields=["region", "status"]),
            models.Index(fields=["operation", "created_at"]),
            models.Index(fields=["status", "acknowledge_due_at"]),
            models.Index(fields=["status", "resolve_due_at"]),
            # the rollups: problems changed since the watermark
            models.Index(fields=["updated_at"]),
            # the dashboard's open problems (most severe, newest first) and map markers, LIMITed
            models.Index(
                fields=["severity", "created_at", "id"],
                condition=models.Q(status__in=OPEN),
                name="problem_open_severity",
            ),
            models.Index(
                fields=["created_at", "id"],
                condition=models.Q(status__in=OPEN),
                name="problem_open_created",
            ),
        ]
        verbose_name = _("problem")
        verbose_name_plural = _("problems")

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("problem", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    def due_at(self):
        """The deadline that matters now: verification while new, then resolution."""
        if not self.is_open:
            return None
        return self.acknowledge_due_at if self.status == Status.BARU else self.resolve_due_at

    def is_overdue(self, now=None) -> bool:
        due = self.due_at()
        return due is not None and due < (now or timezone.now())


class ProblemEvent(models.Model):
    """One line of a problem's timeline: who did what, when, with which note."""

    class Kind(models.TextChoices):
        CREATE = "create", _("reported")
        VERIFY = "verify", _("verified")
        START = "start", _("handling started")
        ESCALATE = "escalate", _("escalated")
        REFER = "refer", _("referred")
        ANSWER = "answer", _("agency answered")
        RESOLVE = "resolve", _("solved")
        REJECT = "reject", _("rejected")
        DUPLICATE = "duplicate", _("marked duplicate")
        REOPEN = "reopen", _("reopened")
        COMMENT = "comment", _("comment")
        ATTACH = "attach", _("attachment")
        OVERDUE = "overdue", _("deadline passed")
        TAKE_OVER = "take_over", _("taken over")
        WITHDRAW = "withdraw", _("referral withdrawn")
        CHANGE = "change", _("changed")

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    from_level = models.CharField(max_length=16, blank=True)
    to_level = models.CharField(max_length=16, blank=True)
    note = models.TextField(blank=True)
    agency = models.ForeignKey(
        "instruction.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")

    def __str__(self) -> str:
        return f"{self.problem_id} {self.kind}"


class Referral(models.Model):
    """A problem referred to an agency (rujukan: an external one or an OPD), and its answer.
    A withdrawn referral stays for the record; the agency no longer sees the problem."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="referrals")
    agency = models.ForeignKey(
        "instruction.Agency",
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    referred_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        constraints = [
            # one current referral per agency; a withdrawn one may be followed by a new one
            models.UniqueConstraint(
                fields=["problem", "agency"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="referral_unique_current",
            ),
        ]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self) -> str:
        return f"{self.problem_id} → {self.agency}"


def attachment_path(instance, filename: str) -> str:
    return timezone.now().strftime(f"attachments/%Y/%m/{uuid.uuid4().hex}")


class Attachment(models.Model):
    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name
