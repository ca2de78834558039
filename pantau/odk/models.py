from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OdkSubmission(models.Model):
    """One form instance received from ODK Collect, by its instanceID.

    The report or problem it made is stored by the monitoring and problem actions; this keeps
    which instance made it and which of the instance's attachments have arrived, so that the
    same instance sent again (a retry, or the next part of a submission split over several
    POSTs) adds only the attachments not yet stored.
    """

    instance_id = models.UUIDField(_("instance ID"), unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sender"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    form_id = models.CharField(_("form ID"), max_length=100)
    report = models.ForeignKey(
        "monitoring.Report",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    problem = models.ForeignKey(
        "problems.Problem",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    attachment_names = models.JSONField(_("attachments stored"), default=list, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("ODK submission")
        verbose_name_plural = _("ODK submissions")

    def __str__(self) -> str:
        return f"uuid:{self.instance_id}"
