"""Notifications: in-app rows for each user, outgoing webhooks and their deliveries.

E-mail needs no table of its own: it is sent from the in-app rows (see tasks.py), and
`Notification.emailed_at` records which ones reached the SMTP server, so that a retried task
never sends the same message twice.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Notification(models.Model):
    """One thing one user should know about, shown in Pantau until it is marked read."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # A free code: create, escalate, refer, overdue, resolve, answer, reopen, comment, ...
    event = models.CharField(_("event"), max_length=64)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True, help_text=_("a path in Pantau"))
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at", "created_at"], name="notify_user_unread_idx"),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.title


class Webhook(models.Model):
    """An outgoing JSON webhook (e.g. a WhatsApp or Telegram gateway) of an agency or a user."""

    agency = models.ForeignKey(
        "instruction.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhooks",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhooks",
    )
    url = models.URLField(
        _("URL"), max_length=500, validators=[URLValidator(schemes=["http", "https"])]
    )
    secret = models.CharField(
        _("secret"),
        max_length=128,
        default=new_secret,
        help_text=_("the key the receiver uses to check the X-Pantau-Signature header"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    events = models.JSONField(
        _("events"),
        default=list,
        blank=True,
        help_text=_('event codes to send, e.g. ["escalate", "overdue"]; empty: all events'),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(agency__isnull=False, user__isnull=True)
                    | Q(agency__isnull=True, user__isnull=False)
                ),
                name="notify_webhook_one_owner",
            ),
        ]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return f"{self.agency or self.user} → {self.url}"

    def clean(self) -> None:
        if (self.agency_id is None) == (self.user_id is None):
            raise ValidationError(_("A webhook belongs to exactly one agency or one user."))
        if not isinstance(self.events, list) or not all(
            isinstance(code, str) for code in self.events
        ):
            raise ValidationError({"events": _('A list of event codes, e.g. ["escalate"].')})

    def wants(self, event: str) -> bool:
        return not self.events or event in self.events


class WebhookDelivery(models.Model):
    """One POST of one event to one webhook, with its attempts."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    webhook = models.ForeignKey(
        Webhook, verbose_name=_("webhook"), on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=64)
    payload = models.JSONField(_("payload"), encoder=DjangoJSONEncoder)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notify_delivery_due_idx"),
        ]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self) -> str:
        return f"#{self.pk} {self.event} → {self.webhook_id} ({self.status})"
