"""Reads of notifications, shared by the web page and the API: the same rows for both."""

from django.db.models import QuerySet

from pantau.notify.models import Notification


def notifications_of(user) -> QuerySet[Notification]:
    """`user`'s own notifications, newest first (nobody reads another's)."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")
