"""From a webhook call to the conversation: who is writing, store the message once, queue it.

The webhook view calls `intake` for each message (cheap: a look-up and an insert) and answers
the provider at once; `handle` runs on the task queue and calls the conversation.
"""

import datetime as dt
import re
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from pantau.channels import conversation
from pantau.channels.base import Message
from pantau.channels.models import LINK_CODE_DAYS, Inbound, Kind, Link, LinkCode
from pantau.channels.sending import queue, reply_unregistered
from pantau.lib.queue import enqueue_on_commit

START = re.compile(r"^/start(?:@\w+)?\s+([A-Za-z0-9]{4,16})\s*$")


def unknown_text() -> str:
    return _(
        "Sorry, this number or chat is not registered in Pantau, so nothing was stored. "
        "Ask the regency's Pantau administrator to add your number to your account."
    )


def sender(message: Message):
    """The active user writing, or None. WhatsApp and SMS: by the account's phone number (the
    link is made on the first message); Telegram: by the chat linked with /start CODE."""
    link = (
        Link.objects.filter(channel=message.channel, address=message.address)
        .select_related("user")
        .first()
    )
    if link is not None:
        if link.user.is_active and (
            message.channel == Kind.TELEGRAM or link.user.phone == message.address
        ):
            return link.user
        if message.channel != Kind.TELEGRAM:
            link.delete()  # the number moved to another account, or was removed
        else:
            return None
    if message.channel == Kind.TELEGRAM:
        return None
    user = get_user_model().objects.filter(phone=message.address, is_active=True).first()
    if user is None:
        return None
    Link.objects.filter(user=user, channel=message.channel).delete()  # their old number
    Link.objects.create(user=user, channel=message.channel, address=message.address)
    return user


def intake(message: Message) -> str:
    """Store `message` once and queue its handling; answer what happened (for the log)."""
    with override("id"):
        with transaction.atomic():
            user = sender(message)
            if user is None:
                match = (
                    START.match(message.text.strip()) if message.channel == Kind.TELEGRAM else None
                )
                if match:
                    return _link_telegram(message, match.group(1).upper())
                transaction.on_commit(
                    partial(reply_unregistered, message.channel, message.address, unknown_text()),
                    robust=True,
                )
                return "unknown"
            try:
                with transaction.atomic():
                    inbound = Inbound.objects.create(
                        channel=message.channel,
                        external_id=message.external_id,
                        address=message.address,
                        user=user,
                        text=message.text[:4000],
                        media=message.media,
                        sent_at=message.sent_at,
                    )
            except IntegrityError:
                return "repeat"  # the provider delivered it again: handled once
            Link.objects.filter(channel=message.channel, address=message.address).update(
                last_inbound_at=timezone.now()
            )
            if message.callback:
                from pantau.channels.providers.telegram import answer_callback

                transaction.on_commit(partial(answer_callback, message.callback), robust=True)
            enqueue_on_commit("pantau.channels.tasks.handle_inbound", inbound.pk, robust=True)
    return "queued"


def _link_telegram(message: Message, code: str) -> str:
    limit = timezone.now() - timezone.timedelta(days=LINK_CODE_DAYS)
    found = LinkCode.objects.select_related("user").filter(code=code, created_at__gte=limit).first()
    if found is None or not found.user.is_active:
        text = _("This code is not valid (any more). Open your profile in Pantau for a new one.")
        queue(channel=message.channel, address=message.address, text=text)
        return "bad code"
    user = found.user
    Link.objects.filter(channel=message.channel, address=message.address).delete()
    Link.objects.filter(user=user, channel=message.channel).delete()
    Link.objects.create(
        user=user,
        channel=message.channel,
        address=message.address,
        last_inbound_at=timezone.now(),
    )
    found.delete()  # one time only
    text = _("This chat is now linked to %(name)s in Pantau.") % {"name": user.get_full_name()}
    queue(
        channel=message.channel,
        address=message.address,
        user=user,
        text=text + "\n\n" + conversation.help_text(),
    )
    return "linked"


def handle(inbound_id: int) -> None:
    """Answer one stored message (the task queue's half). A message is handled once."""
    with override("id"), transaction.atomic():
        inbound = (
            Inbound.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(pk=inbound_id)
            .first()
        )
        if inbound is None or inbound.handled_at is not None:
            return
        replies = conversation.respond(inbound)
        inbound.handled_at = timezone.now()
        inbound.save(update_fields=["handled_at"])
        for reply in replies:
            queue(
                channel=inbound.channel,
                address=inbound.address,
                user=inbound.user,
                text=reply.text,
                choices=reply.choices,
            )


def purge_inbound(now=None) -> int:
    """Delete the messages received more than CHANNEL_INBOUND_DAYS ago; answer how many.

    A message's text holds what a person typed, phone number beside it: it is kept only as
    long as a provider may still deliver it again (its id makes the second delivery a no-op)
    and someone may need to read it back. What it made (a report, a problem) stays."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.CHANNEL_INBOUND_DAYS)
    deleted = 0
    while True:
        ids = list(
            Inbound.objects.filter(received_at__lt=cutoff).values_list("pk", flat=True)[:1000]
        )
        if not ids:
            return deleted
        deleted += Inbound.objects.filter(pk__in=ids).delete()[0]
