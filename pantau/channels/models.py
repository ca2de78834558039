"""Message channels: who writes from which WhatsApp number, Telegram chat or SMS number; the
messages received (each stored once by the provider's message id); the conversation in progress;
and the messages Pantau sends, with their attempts."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    WHATSAPP = "whatsapp", _("WhatsApp")
    TELEGRAM = "telegram", _("Telegram")
    SMS = "sms", _("SMS")


class Link(models.Model):
    """A user's address on a channel: their E.164 number (WhatsApp, SMS) or chat id (Telegram).
    Made when they first write from their number, or by `/start CODE` on Telegram."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="channel_links",
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=64)
    last_inbound_at = models.DateTimeField(_("last message received"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "address"], name="channels_link_address"),
            models.UniqueConstraint(fields=["user", "channel"], name="channels_link_user"),
        ]
        verbose_name = _("channel link")
        verbose_name_plural = _("channel links")

    def __str__(self) -> str:
        return f"{self.user} · {self.channel} {self.address}"


LINK_CODE_DAYS = 7  # a Telegram link code works this long


def new_code() -> str:
    return "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(8))


class LinkCode(models.Model):
    """The one-time code a user sends as `/start CODE` to link their Telegram chat."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_code"
    )
    code = models.CharField(max_length=16, unique=True, default=new_code)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("link code")
        verbose_name_plural = _("link codes")

    def __str__(self) -> str:
        return f"{self.user}"


class Inbound(models.Model):
    """A message received from a known sender. The provider's id is unique: the same message
    delivered twice (providers retry) is handled once."""

    channel = models.CharField(_("channel"), max_length=8, choices=Kind.choices)
    external_id = models.CharField(_("message id"), max_length=200)
    address = models.CharField(_("address"), max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", null=True
    )
    text = models.TextField(_("text"), blank=True)
    media = models.JSONField(_("media"), default=list, blank=True)
    sent_at = models.DateTimeField(_("sent at"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"], name="channels_inbound_once"
            ),
        ]
        ordering = ["-received_at", "-id"]
        verbose_name = _("message received")
        verbose_name_plural = _("messages received")

    def __str__(self) -> str:
        return f"{self.channel} {self.external_id}"


class Conversation(models.Model):
    """Where a guided conversation stands (which question comes next). One per address."""

    channel = models.CharField(max_length=8, choices=Kind.choices)
    address = models.CharField(max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    state = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "address"], name="channels_conversation_address"
            ),
        ]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")

    def __str__(self) -> str:
        return f"{self.channel} {self.address}"


class Outbound(models.Model):
    """One message Pantau sends (a reply, a notification, a reminder), with its attempts: the
    same retry and back-off as the webhooks (pantau.lib.backoff)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    channel = models.CharField(_("channel"), max_length=8, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    event = models.CharField(_("event"), max_length=64, blank=True)
    text = models.TextField(_("text"))
    choices = models.JSONField(_("buttons"), default=list, blank=True)
    template = models.CharField(_("template"), max_length=128, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="channels_outbound_due_idx"),
        ]
        verbose_name = _("message sent")
        verbose_name_plural = _("messages sent")

    def __str__(self) -> str:
        return f"#{self.pk} {self.channel} → {self.address} ({self.status})"
