"""Writes of the notifications app: telling users, and marking what they have read.

`notify()` is what the other apps call from their actions. It runs inside the caller's
transaction and only writes rows (cheap); the slow work (SMTP, HTTP) is queued on commit, so a
rolled-back action notifies nobody and no request waits for a mail server or a gateway.
"""

import logging
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from pantau.channels.deliver import notify_linked
from pantau.lib.errors import NotFound
from pantau.notify.models import Notification, Webhook, WebhookDelivery

logger = logging.getLogger(__name__)

TITLE_MAX = Notification._meta.get_field("title").max_length


def absolute_url(url: str) -> str:
    """The link as seen from outside: SITE_URL + a path in Pantau ("" stays "")."""
    return f"{settings.SITE_URL}{url}" if url else ""


def _check_path(url: str) -> str:
    # The link is rendered as an href in the list and in e-mails: only a path in Pantau, never
    # another site or a javascript: URL.
    if url and (not url.startswith("/") or url.startswith("//") or "\\" in url):
        raise ValueError(f"notify(url=...) must be a path in Pantau, got {url!r}")
    return url


def _active_users(recipients: Iterable) -> list:
    seen, users = set(), []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        users.append(user)
    return users


def _problem_summary(problem) -> dict:
    """What a gateway needs to know about a problem. Read defensively: any field may be absent."""
    region = getattr(problem, "region", None)
    return {
        "id": problem.pk,
        "title": getattr(problem, "title", None),
        "status": getattr(problem, "status", None),
        "level": getattr(problem, "level", None),
        "severity": getattr(problem, "severity", None),
        "region": getattr(region, "code", None) if region is not None else None,
    }


def notify(
    recipients: Iterable,
    *,
    event: str,
    title: str,
    body: str = "",
    url: str = "",
    problem=None,
    payload: dict | None = None,
) -> None:
    """Tell `recipients` (users) that `event` happened. Call inside the caller's transaction.

    - in-app: one `Notification` per active recipient (None entries and duplicates ignored);
    - e-mail: queued on commit for recipients with an address, when EMAIL_HOST is set;
    - message channels: one message per linked WhatsApp, Telegram or SMS (channels.deliver);
    - webhooks: one pending `WebhookDelivery` per active webhook of a recipient or of a
      recipient's agency that wants `event` (one per webhook however many recipients share it),
      each queued on commit.

    `title` and `body` are the user's texts (the caller translates them); `url` is a path in
    Pantau (e.g. "/masalah/12/"); `payload` adds keys to the webhook JSON (the standard keys
    `event`, `title`, `body`, `url`, `sent_at`, `recipients` and `problem` win over it).
    """
    users = _active_users(recipients)
    if not users:
        return
    url = _check_path(str(url))
    title, body = str(title)[:TITLE_MAX], str(body)
    now = timezone.now()
    object_type, object_id = ("problem", str(problem.pk)) if problem is not None else ("", "")

    notifications = Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                event=event,
                title=title,
                body=body,
                url=url,
                object_type=object_type,
                object_id=object_id,
                created_at=now,
            )
            for user in users
        ]
    )
    notify_linked(users, event=event, title=title, body=body, url=url)  # WhatsApp, Telegram, SMS
    email_ids = []
    if settings.EMAIL_HOST:
        email_ids = [n.pk for n, user in zip(notifications, users, strict=True) if user.email]

    deliveries = _webhook_deliveries(
        users,
        event=event,
        payload={
            **(payload or {}),
            "event": event,
            "title": title,
            "body": body,
            "url": absolute_url(url),
            "sent_at": now.isoformat(),
            **({"problem": _problem_summary(problem)} if problem is not None else {}),
        },
    )
    if email_ids or deliveries:
        transaction.on_commit(
            partial(_enqueue, email_ids, [d.pk for d in deliveries]),
            robust=True,  # the action is committed: a broken queue must not turn it into a 500
        )


def _webhook_deliveries(users: list, *, event: str, payload: dict) -> list[WebhookDelivery]:
    by_user = {user.pk: user for user in users}
    by_agency: dict[int, list] = {}
    for user in users:
        if user.agency_id:
            by_agency.setdefault(user.agency_id, []).append(user)
    webhooks = Webhook.objects.filter(is_active=True).filter(
        Q(user_id__in=by_user) | Q(agency_id__in=by_agency, agency__is_active=True)
    )
    deliveries = []
    now = timezone.now()
    for webhook in webhooks.order_by("pk"):
        if not webhook.wants(event):
            continue
        # The gateway learns whom this event concerns among its own users, nobody else.
        concerned = [by_user[webhook.user_id]] if webhook.user_id else by_agency[webhook.agency_id]
        deliveries.append(
            WebhookDelivery(
                webhook=webhook,
                event=event,
                payload={**payload, "recipients": [u.username for u in concerned]},
                next_attempt_at=now,
            )
        )
    return WebhookDelivery.objects.bulk_create(deliveries)


def _enqueue(email_ids: list[int], delivery_ids: list[int]) -> None:
    # The tasks are named, not imported: the task module imports this one (lib/queue.py).
    if email_ids:
        import_string("pantau.notify.tasks.send_notification_emails")(email_ids)
    deliver = import_string("pantau.notify.tasks.deliver_webhook")
    for delivery_id in delivery_ids:
        deliver(delivery_id)


def mark_read(user, pk: int | None = None) -> int:
    """Mark one of `user`'s notifications (or all of them) read; answer how many changed.

    Someone else's notification is NotFound, exactly like one that does not exist.
    """
    mine = Notification.objects.filter(user=user)
    if pk is not None:
        mine = mine.filter(pk=pk)
        if not mine.exists():
            raise NotFound(_("This notification does not exist."))
    return mine.filter(read_at__isnull=True).update(read_at=timezone.now())
