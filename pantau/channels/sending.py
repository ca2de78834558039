"""Messages out: stored as `Outbound` rows, sent by the task queue, retried with the webhooks'
back-off (pantau.lib.backoff) until sent or failed for good.

Nothing here reads reports or problems: the notification apps call `notify_linked` in
deliver.py, which queues through `queue` below.
"""

import datetime as dt
import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from pantau.channels.base import SendError
from pantau.channels.models import Link, Outbound
from pantau.channels.providers.registry import adapter
from pantau.lib.backoff import MAX_ATTEMPTS, requeue_stalled, retry_delay

logger = logging.getLogger(__name__)

WHATSAPP_WINDOW = dt.timedelta(hours=24)  # free-form messages only within this of the last one


def whatsapp_template(link: Link | None, event: str) -> str | None:
    """ "" when a free-form message may go (within 24 hours of the user's last message), the
    approved template's name when not, None when no template is configured for `event`."""
    last = link.last_inbound_at if link else None
    if last is not None and timezone.now() - last < WHATSAPP_WINDOW:
        return ""
    templates = settings.WHATSAPP_TEMPLATES
    return templates.get(event) or templates.get("*")


def queue(
    *,
    channel: str,
    address: str,
    text: str,
    user=None,
    choices=(),
    event: str = "reply",
    template: str = "",
) -> Outbound:
    """Store one message to send and send it on commit (inside the caller's transaction)."""
    outbound = Outbound.objects.create(
        channel=channel,
        address=address,
        user=user,
        text=text,
        choices=[list(c) for c in choices],
        event=event,
        template=template,
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(partial(deliver_outbound, outbound.pk), robust=True)
    return outbound


def attempt(outbound: Outbound) -> bool:
    """One attempt at sending; recorded on the row. True when the provider took it."""
    if outbound.status != Outbound.Status.PENDING:
        return outbound.status == Outbound.Status.SENT
    try:
        adapter(outbound.channel).send(
            outbound.address,
            outbound.text,
            [tuple(c) for c in outbound.choices],
            outbound.template,
        )
    except SendError as exc:
        ok, error = False, str(exc)
    else:
        ok, error = True, ""
    now = timezone.now()
    outbound.attempts += 1
    if ok:
        outbound.status, outbound.sent_at, outbound.next_attempt_at = (
            Outbound.Status.SENT,
            now,
            None,
        )
    else:
        outbound.last_error = error[:2000]
        if outbound.attempts >= MAX_ATTEMPTS:
            outbound.status, outbound.next_attempt_at = Outbound.Status.FAILED, None
        else:
            outbound.next_attempt_at = now + dt.timedelta(seconds=retry_delay(outbound.attempts))
    outbound.save(update_fields=["status", "attempts", "last_error", "next_attempt_at", "sent_at"])
    return ok


@db_task()
def deliver_outbound(outbound_id: int) -> None:
    outbound = Outbound.objects.filter(pk=outbound_id).first()
    if outbound is None or outbound.status != Outbound.Status.PENDING:
        return
    if attempt(outbound) or outbound.status != Outbound.Status.PENDING:
        if outbound.status == Outbound.Status.FAILED:
            logger.warning("Message %s failed for good: %s", outbound.pk, outbound.last_error)
        return
    logger.info(
        "Message %s failed (attempt %s): %s", outbound.pk, outbound.attempts, outbound.last_error
    )
    deliver_outbound.schedule((outbound.pk,), delay=retry_delay(outbound.attempts))


@db_periodic_task(crontab(minute="*/15"))
def requeue_stalled_messages() -> int:
    """Queue again the pending messages whose task was lost; answer how many."""
    return requeue_stalled(
        Outbound.objects.filter(status=Outbound.Status.PENDING), deliver_outbound
    )


@db_task(retries=3, retry_delay=60)
def reply_unregistered(channel: str, address: str, text: str) -> None:
    """The answer to someone Pantau does not know: sent, never stored (nor their message)."""
    adapter(channel).send(address, text, (), "")
