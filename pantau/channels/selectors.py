"""Reads of the message channels."""

from pantau.channels.models import Link


def linked_channels(user) -> list[str]:
    """The channels `user` has linked, in a fixed order."""
    return sorted(Link.objects.filter(user=user).values_list("channel", flat=True))
