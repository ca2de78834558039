"""Template context for the notification link in the page header."""

from pantau.notify.models import Notification


def unread(request) -> dict:
    """`unread_notifications`: how many unread notifications the user has (one COUNT query)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": Notification.objects.filter(user=user, read_at__isnull=True).count()
    }
