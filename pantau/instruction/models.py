"""The monitoring operation that a regent's instruction sets up, as data.

Everything here is loaded from a YAML file (see loader.py) and editable in the admin; codes are
the stable keys by which a changed file updates what is already stored.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("administrator")
    BUPATI = "bupati", _("Pj Bupati")
    COORDINATOR = "coordinator", _("coordinator (Asisten)")
    CAMAT = "camat", _("camat")
    OPD = "opd", _("head of regional agency (Kepala OPD)")
    VILLAGE = "village", _("village (kepala desa / lurah)")
    MONITOR = "monitor", _("field monitor")
    AGENCY = "agency", _("external agency")


class Operation(models.Model):
    """One monitoring operation, e.g. the Pilkada 2024 monitoring of Kabupaten Probolinggo.

    Its life is draft -> active -> closed (see `instruction/operations.py`): a draft is loaded
    but not yet in use; an active one takes reports and problems; a closed one stays readable
    and takes nothing new. Several may be active at once in one region.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ACTIVE = "active", _("active")
        CLOSED = "closed", _("closed")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=300)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="operations",
    )
    instruction_title = models.CharField(_("instruction title"), max_length=300, blank=True)
    instruction_number = models.CharField(_("instruction number"), max_length=100, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_by = models.CharField(_("signed by"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE, db_index=True
    )
    territory = models.JSONField(
        _("territory"),
        default=list,
        blank=True,
        help_text=_(
            "codes of the kecamatan and villages the operation covers; empty: the whole region"
        ),
    )
    deadlines = models.JSONField(
        _("deadlines by severity"),
        default=dict,
        blank=True,
        help_text=_('hours per severity, e.g. {"kritis": {"acknowledge": 1, "resolve": 6}}'),
    )
    routing = models.JSONField(
        _("routing of notifications"),
        default=dict,
        blank=True,
        help_text=_("the instruction file's routing section; empty: the shipped rules"),
    )
    letter = models.JSONField(
        _("periodic report letter"),
        default=dict,
        blank=True,
        help_text=_("the instruction file's letter section: kop, number, addressee, signatory"),
    )
    source_file = models.CharField(_("source file"), max_length=500, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("monitoring operation")
        verbose_name_plural = _("monitoring operations")

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        """Takes new reports and problems (see `operations.ensure_writable`)."""
        return self.status == self.Status.ACTIVE


# The operations whose data is shown (a draft is not yet; a closed one still is).
READABLE = (Operation.Status.ACTIVE, Operation.Status.CLOSED)


DEFAULT_DEADLINES = {  # hours to acknowledge (verify) and to resolve, by severity
    "kritis": {"acknowledge": 1, "resolve": 6},
    "tinggi": {"acknowledge": 4, "resolve": 24},
    "sedang": {"acknowledge": 24, "resolve": 72},
    "rendah": {"acknowledge": 72, "resolve": 168},
}


class Election(models.Model):
    class Kind(models.TextChoices):
        GOVERNOR = "governor", _("governor (Pilgub)")
        REGENT = "regent", _("regent (Pilbup)")
        MAYOR = "mayor", _("mayor (Pilwali)")
        VILLAGE_HEAD = "village_head", _("village head (Pilkades)")
        OTHER = "other", _("other")

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="elections")
    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    voting_day = models.DateField(_("voting day"))

    class Meta:
        ordering = ["voting_day", "code"]
        constraints = [
            models.UniqueConstraint(fields=["operation", "code"], name="election_code_unique"),
        ]
        verbose_name = _("election")
        verbose_name_plural = _("elections")

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    """A stage of the election calendar (campaign, quiet period, voting day, recapitulation)."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="stages")
    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["operation", "order", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["operation", "code"], name="stage_code_unique"),
        ]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    """A regional agency of the regency (OPD) or an external agency (KPU, Bawaslu, Polres ...)."""

    class Kind(models.TextChoices):
        OPD = "opd", _("regional agency (OPD)")
        EXTERNAL = "external", _("external agency")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.short_name or self.name


class Position(models.Model):
    """An office in the operation (Pj Bupati, an Asisten, the camat of Tongas, a Kepala OPD).

    The person holding it is the user whose `position` points here; the territory follows from
    the position (see accounts/access.py).
    """

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="positions")
    code = models.SlugField(_("code"), max_length=64)
    title = models.CharField(_("title"), max_length=300)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="positions",
    )
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="positions",
        help_text=_("the kecamatan of a camat, the village of a village head"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["operation", "role", "code"]
        constraints = [
            models.UniqueConstraint(fields=["operation", "code"], name="position_code_unique"),
        ]
        verbose_name = _("position")
        verbose_name_plural = _("positions")

    def __str__(self) -> str:
        return self.title


class Cluster(models.Model):
    """A coordination cluster: an Asisten and the kecamatan they lead (eight each in 2024)."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="clusters")
    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=300)
    coordinator = models.ForeignKey(
        Position,
        verbose_name=_("coordinator"),
        on_delete=models.PROTECT,
        related_name="clusters",
    )
    kecamatan = models.ManyToManyField(
        "regions.Region",
        verbose_name=_("kecamatan"),
        related_name="clusters",
        limit_choices_to={"level": "kecamatan"},
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["operation", "order"]
        constraints = [
            models.UniqueConstraint(fields=["operation", "code"], name="cluster_code_unique"),
        ]
        verbose_name = _("coordination cluster")
        verbose_name_plural = _("coordination clusters")

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """The instruction's annex: the Kepala OPD of `agency` monitors `kecamatan`."""

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="assignments")
    kecamatan = models.ForeignKey(
        "regions.Region",
        verbose_name=_("kecamatan"),
        on_delete=models.PROTECT,
        related_name="assignments",
        limit_choices_to={"level": "kecamatan"},
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )

    class Meta:
        ordering = ["operation", "kecamatan__code", "agency__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "kecamatan", "agency"], name="assignment_unique"
            ),
        ]
        verbose_name = _("OPD assignment")
        verbose_name_plural = _("OPD assignments")

    def __str__(self) -> str:
        return f"{self.agency} → {self.kecamatan.name}"


class Category(models.Model):
    """A category of problems (logistics, money politics, ...): data, from the instruction file."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("problem category")
        verbose_name_plural = _("problem categories")

    def __str__(self) -> str:
        return self.name


class Checklist(models.Model):
    """The questions a field report answers in one stage, e.g. TPS readiness the day before.

    `questions` is a list of {"code", "text", "type": yes_no|choice|number|text, "choices"?,
    "required"?}, validated by the instruction loader.
    """

    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="checklists")
    stage = models.ForeignKey(
        Stage, verbose_name=_("stage"), on_delete=models.PROTECT, related_name="checklists"
    )
    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    questions = models.JSONField(_("questions"), default=list)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["operation", "stage__order", "order"]
        constraints = [
            models.UniqueConstraint(fields=["operation", "code"], name="checklist_code_unique"),
        ]
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")

    def __str__(self) -> str:
        return self.name


class ReportingRule(models.Model):
    """Who must send a field report, for which regions, when, and how late still counts.

    From the instruction file's `reporting:` list. Every active user whose role is `role` is
    expected to report once for each unit of their territory (a camat: their kecamatan; a
    Kepala OPD: each kecamatan assigned to their agency; a coordinator: each kecamatan of their
    cluster; a village account or field monitor: each of their regions) before each of `times`
    (HH:MM, WIB) on every day of `stage` (every active stage when empty). How the reports are
    counted against these deadlines: pantau/compliance/selectors.py.
    """

    class Reporter(models.TextChoices):
        CAMAT = "camat", _("camat")
        OPD = "opd", _("head of regional agency (Kepala OPD)")
        COORDINATOR = "coordinator", _("coordinator (Asisten)")
        VILLAGE = "village", _("village (kepala desa / lurah)")
        MONITOR = "monitor", _("field monitor")

    operation = models.ForeignKey(
        Operation, on_delete=models.CASCADE, related_name="reporting_rules"
    )
    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("who reports"), max_length=16, choices=Reporter.choices)
    stage = models.ForeignKey(
        Stage,
        verbose_name=_("stage"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reporting_rules",
        help_text=_("the rule applies on the dates of this stage; empty: of every stage"),
    )
    times = models.JSONField(
        _("deadlines (WIB)"), default=list, help_text=_('per day, e.g. ["07:00", "16:00"]')
    )
    grace_minutes = models.PositiveIntegerField(
        _("grace (minutes)"),
        default=0,
        help_text=_("how long after a deadline a report still counts as on time"),
    )
    remind_minutes_before = models.PositiveIntegerField(
        _("reminder (minutes before the deadline)"),
        null=True,
        blank=True,
        help_text=_("empty: no reminder"),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["operation", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "code"], name="reporting_rule_code_unique"
            ),
        ]
        verbose_name = _("reporting rule")
        verbose_name_plural = _("reporting rules")

    def __str__(self) -> str:
        return self.name


class PeriodicSchedule(models.Model):
    """A periodic report to produce (per kecamatan, per cluster or for the kabupaten) every day
    at `time` (HH:MM, WIB) during `stage` (every stage when empty), in `formats`.

    From the instruction file's `periodic_reports:` list; the periodic-report job reads it.
    """

    class Scope(models.TextChoices):
        KECAMATAN = "kecamatan", _("per kecamatan")
        CLUSTER = "cluster", _("per coordination cluster")
        KABUPATEN = "kabupaten", _("the kabupaten")

    operation = models.ForeignKey(
        Operation, on_delete=models.CASCADE, related_name="periodic_schedules"
    )
    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    scope = models.CharField(_("scope"), max_length=16, choices=Scope.choices)
    time = models.CharField(_("time (WIB)"), max_length=5, help_text=_("HH:MM"))
    stage = models.ForeignKey(
        Stage,
        verbose_name=_("stage"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="periodic_schedules",
        help_text=_("produced on the dates of this stage; empty: of every stage"),
    )
    formats = models.JSONField(_("formats"), default=list, help_text=_('e.g. ["pdf", "xlsx"]'))
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["operation", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["operation", "code"], name="periodic_schedule_code_unique"
            ),
        ]
        verbose_name = _("periodic report schedule")
        verbose_name_plural = _("periodic report schedules")

    def __str__(self) -> str:
        return self.name
