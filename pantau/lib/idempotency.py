"""Create-once by a client-made id: a retry, a double tap or an offline queue sending the same
thing again gets the first copy back, never a second one."""

import uuid
from collections.abc import Callable

from django.db import IntegrityError
from django.utils.translation import gettext as _

from pantau.lib.errors import Conflict, Invalid


def parse_client_id(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Invalid(
            _("client_id must be a UUID."), fields={"client_id": _("not a UUID")}
        ) from None


def create_once(
    model, client_id: uuid.UUID, *, sender, sender_field: str, create: Callable[[], object]
) -> tuple[object, bool]:
    """Return (the stored object with `client_id`, False), or (create(), True).

    Only its sender gets an existing object back; anyone else reusing the id gets a Conflict.
    Two copies racing in at the same moment: the loser's insert fails on the unique id and it
    returns the winner's.
    """

    def stored():
        obj = model.objects.filter(client_id=client_id).first()
        if obj is not None and getattr(obj, sender_field) != sender.pk:
            raise Conflict(
                _("This client_id was already used by someone else."),
                code="client_id_taken",
                fields={"client_id": _("already used")},
            )
        return obj

    existing = stored()
    if existing is not None:
        return existing, False
    try:
        return create(), True
    except IntegrityError:
        existing = stored()
        if existing is None:
            raise
        return existing, False
