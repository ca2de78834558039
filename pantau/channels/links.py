"""Linking an account to a channel from Pantau's side (the profile page)."""

from django.db import transaction
from django.utils import timezone

from pantau.audit import log as audit
from pantau.channels.models import LINK_CODE_DAYS, Link, LinkCode, new_code


def telegram_code(user) -> str:
    """The user's current one-time code for `/start CODE` (a new one once a week or used)."""
    limit = timezone.now() - timezone.timedelta(days=LINK_CODE_DAYS - 1)
    found = LinkCode.objects.filter(user=user).first()
    if found is None or found.created_at < limit:
        LinkCode.objects.filter(user=user).delete()
        found = LinkCode.objects.create(user=user, code=new_code())
    return found.code


def unlink(user, channel: str) -> None:
    with transaction.atomic():
        count, _ = Link.objects.filter(user=user, channel=channel).delete()
        if count:
            audit.record(
                actor=user, action="user.channel.unlink", obj=user, after={"channel": channel}
            )
