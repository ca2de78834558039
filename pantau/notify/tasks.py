"""The slow half of notifications, run by the Huey consumer: e-mail and webhook deliveries.

`notify()` queues these on commit; the plain functions (`send_emails` here, `attempt_delivery`
and friends in webhooks.py) do the work and can be called without a queue.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from pantau.lib.backoff import requeue_stalled
from pantau.notify.models import Notification, WebhookDelivery
from pantau.notify.service import absolute_url
from pantau.notify.webhooks import attempt_delivery, retry_delay

logger = logging.getLogger(__name__)


def email_message(notification: Notification, connection=None) -> EmailMessage:
    """The plain-text e-mail of one notification: subject = title, body + absolute link."""
    text = notification.body.strip()
    link = absolute_url(notification.url)
    if link:
        text = (text + "\n\n" if text else "") + _("Open in Pantau: %(link)s") % {"link": link}
    return EmailMessage(
        subject=" ".join(notification.title.split()),  # a header: never a line break in it
        body=text + "\n",
        to=[notification.user.email],
        connection=connection,
        headers={"Auto-Submitted": "auto-generated"},
    )


def send_emails(notification_ids: list[int]) -> int:
    """E-mail the notifications not e-mailed yet, over one SMTP connection; answer how many.

    Each one is marked `emailed_at` as soon as the server took it, so that a retry after a
    failure half-way sends only the rest. Nothing is sent without settings.EMAIL_HOST.
    """
    if not settings.EMAIL_HOST:
        return 0
    notifications = list(
        Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
        .exclude(user__email="")
        .filter(user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    if not notifications:
        return 0
    sent = 0
    with translation.override(settings.LANGUAGE_CODE), get_connection() as connection:
        for notification in notifications:
            email_message(notification, connection).send()
            Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
            sent += 1
    return sent


@db_task(retries=3, retry_delay=60)
def send_notification_emails(notification_ids: list[int]) -> None:
    try:
        send_emails(notification_ids)
    except Exception:
        logger.warning("Sending notification e-mails %s failed", notification_ids, exc_info=True)
        raise  # Huey retries the task (3 times, a minute apart)


@db_task()
def deliver_webhook(delivery_id: int) -> None:
    """One attempt at a webhook delivery; on failure it schedules itself with back-off."""
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
        return
    if attempt_delivery(delivery):
        return
    if delivery.status == WebhookDelivery.Status.PENDING:
        logger.info(
            "Webhook delivery %s failed (attempt %s): %s",
            delivery.pk,
            delivery.attempts,
            delivery.last_error,
        )
        deliver_webhook.schedule((delivery.pk,), delay=retry_delay(delivery.attempts))
    else:
        logger.warning(
            "Webhook delivery %s failed for good after %s attempts: %s",
            delivery.pk,
            delivery.attempts,
            delivery.last_error,
        )


@db_periodic_task(crontab(minute="*/15"))
def requeue_stalled_deliveries() -> int:
    """Queue again the pending deliveries whose task was lost; answer how many."""
    return requeue_stalled(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING), deliver_webhook
    )
