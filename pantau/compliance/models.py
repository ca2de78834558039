"""What the compliance app stores: only the reminders already sent (each goes out once)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Reminder(models.Model):
    """A reminder sent to `user` for the report due at `due_at` for `region` under `rule`.

    Unique, so that the every-minute job sends it once per slot. The region is part of the key
    because a Kepala OPD reports once per assigned kecamatan.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="compliance_reminders"
    )
    rule = models.ForeignKey(
        "instruction.ReportingRule", on_delete=models.CASCADE, related_name="reminders"
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.CASCADE, related_name="compliance_reminders"
    )
    due_at = models.DateTimeField(_("due at"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["-due_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "rule", "region", "due_at"], name="compliance_reminder_once"
            ),
        ]
        verbose_name = _("report reminder")
        verbose_name_plural = _("report reminders")

    def __str__(self) -> str:
        return f"{self.user} · {self.region_id} · {self.due_at:%Y-%m-%d %H:%M}"
