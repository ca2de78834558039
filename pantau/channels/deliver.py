"""Notifications on the channel a user linked (WhatsApp, Telegram, SMS).

`notify_linked` is the one function the notification app calls (inside its transaction);
WhatsApp outside the 24-hour window goes only as an approved template
(PANTAU_WHATSAPP_TEMPLATES), and a notification without one is not sent there.
"""

from collections.abc import Iterable

from django.conf import settings

from pantau.channels.models import Kind, Link
from pantau.channels.providers.registry import enabled
from pantau.channels.sending import queue, whatsapp_template


def notify_linked(users: Iterable, *, event: str, title: str, body: str = "", url: str = "") -> int:
    """Queue `title` (+ `body` and the link) to each of `users`' linked channels; answer how
    many messages were queued."""
    ids = [u.pk for u in users if u is not None]
    if not ids:
        return 0
    text = "\n".join(part for part in (str(title), str(body).strip()) if part)
    if url:
        text += f"\n{settings.SITE_URL}{url}"
    count = 0
    for link in Link.objects.filter(user_id__in=ids).select_related("user").order_by("pk"):
        if not enabled(link.channel) or not link.user.is_active:
            continue
        template = ""
        if link.channel == Kind.WHATSAPP:
            template = whatsapp_template(link, event)
            if template is None:
                continue  # outside the window and no approved template: WhatsApp would refuse
        queue(
            channel=link.channel,
            address=link.address,
            text=text,
            user=link.user,
            event=event,
            template=template,
        )
        count += 1
    return count
