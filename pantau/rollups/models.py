"""Pre-computed figures for the dashboard (see `pantau.rollups.compute`).

`Tally` holds counts per region (kecamatan, kabupaten, provinsi: `depth` 3, 2, 1), WIB day,
stage (`stage_key`, 0 = all stages) and category (`category_key`, 0 = all categories), one
`metric` each. `PlaceLatest` is the latest report of each place (village or kecamatan) and
`ProblemRow` the state of each problem as the tallies count them; `CountedReport` the reports
of the last minutes already counted (so that the job, which rereads a window of OVERLAP, adds
each report once). Everything here is derived from the reports and problems and can be rebuilt
at any time (`pantau rebuildrollups`).
"""

from django.db import models


class Metric(models.TextChoices):
    REPORTS = "R", "reports by day observed"
    LATEST = "L", "places by day and situation of their latest report"
    OPEN = "O", "open problems by severity (no day: open is read whatever the day)"
    DUE = "D", "open problems by day of the deadline that matters now"
    SOLVED = "S", "solved problems by day resolved"
    CREATED = "C", "problems (any state) by day created"


class Watermark(models.Model):
    """How far the rollups go: reports received and problems changed up to `at`."""

    name = models.CharField(max_length=32, primary_key=True)
    at = models.DateTimeField(null=True, blank=True)
    rebuilt_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} {self.at}"


class Tally(models.Model):
    code = models.CharField(max_length=32)
    depth = models.PositiveSmallIntegerField()
    prov = models.CharField(max_length=32)
    kab = models.CharField(max_length=32, blank=True)
    metric = models.CharField(max_length=1, choices=Metric.choices)
    stage_key = models.PositiveIntegerField(default=0)
    category_key = models.PositiveIntegerField(default=0)
    day = models.DateField()
    key = models.CharField(max_length=16, blank=True)
    # (not Positive: the job adds signed deltas; a tally that reaches 0 is deleted)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            # one row per figure: the job adds to it (INSERT ... ON CONFLICT DO UPDATE)
            models.UniqueConstraint(
                fields=["code", "metric", "stage_key", "category_key", "day", "key"],
                name="rollups_tally_key",
            ),
        ]
        indexes = [
            models.Index(fields=["depth", "stage_key", "category_key", "prov"]),
            models.Index(fields=["depth", "stage_key", "category_key", "kab"]),
            models.Index(fields=["depth", "code"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.metric} {self.day} {self.key}={self.n}"


class PlaceLatest(models.Model):
    """The latest report (observed, then id) of a place, per stage (`stage_key` 0: any)."""

    code = models.CharField(max_length=32)
    area = models.CharField(max_length=32, db_index=True)
    stage_key = models.PositiveIntegerField(default=0)
    observed_at = models.DateTimeField()
    report_id = models.BigIntegerField()
    situation = models.CharField(max_length=8)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["code", "stage_key"], name="rollups_place_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.code}/{self.stage_key} {self.situation}"


class ProblemRow(models.Model):
    """A problem as the tallies last counted it."""

    problem_id = models.BigIntegerField(primary_key=True)
    code = models.CharField(max_length=32)
    area = models.CharField(max_length=32, db_index=True)
    kab = models.CharField(max_length=32)
    prov = models.CharField(max_length=32)
    stage_id = models.BigIntegerField(null=True)
    category_id = models.BigIntegerField()
    severity = models.CharField(max_length=8)
    status = models.CharField(max_length=16)
    created_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True)
    resolved_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [models.Index(fields=["status", "due_at"])]

    def __str__(self) -> str:
        return f"#{self.problem_id} {self.status}"


class CountedReport(models.Model):
    """A report that the tallies already count, received in the last OVERLAP before the
    watermark (older ones are dropped: no run rereads them)."""

    report_id = models.BigIntegerField(primary_key=True)
    received_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"#{self.report_id}"
