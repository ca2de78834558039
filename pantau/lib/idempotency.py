"""Create-once by a client-made id: a retry, a double tap or an offline queue sending the same
thing again gets the first copy back, never a second one."""

import uuid
from collections.abc import Callable

from django.db import IntegrityError
from django.utils.translation import gettext as _

from pantau.lib.errors import Conflict, Invalid, PantauError


def parse_client_id(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Invalid(
            _("client_id must be a UUID."), fields={"client_id": _("not a UUID")}
        ) from None


def sent_before(model, client_id, *, sender, sender_field: str):
    """The object `sender` stored with `client_id` before, or None (also for an id that is not
    a UUID); someone else's is a Conflict. For a caller that refuses a copy sent again before
    `create_once` is reached (its operation closed since): the stored copy is the answer."""
    try:
        client_id = uuid.UUID(str(client_id))
    except ValueError:
        return None
    obj = model.objects.filter(client_id=client_id).first()
    if obj is not None and getattr(obj, sender_field) != sender.pk:
        raise Conflict(
            _("This client_id was already used by someone else."),
            code="client_id_taken",
            fields={"client_id": _("already used")},
        )
    return obj


def create_once(
    model,
    client_id: uuid.UUID,
    *,
    sender,
    sender_field: str,
    create: Callable[[], object],
    insert_first: bool = False,
) -> tuple[object, bool]:
    """Return (the stored object with `client_id`, False), or (create(), True).

    Only its sender gets an existing object back; anyone else reusing the id gets a Conflict.
    Two copies racing in at the same moment: the loser's insert fails on the unique id and it
    returns the winner's.

    `insert_first` skips the look-up before creating, for the common case where the id is new
    (one query less on every report): `create` must then insert in a transaction of its own
    (`atomic`) that the unique id's violation rolls back whole. A copy sent again fails on the
    unique id and gets the stored one back; so does a copy that `create` refuses (a PantauError,
    e.g. its stage has closed since): the stored report wins over the refusal, as with the
    look-up first.
    """

    def stored():
        return sent_before(model, client_id, sender=sender, sender_field=sender_field)

    if insert_first:
        try:
            return create(), True
        except PantauError:
            existing = stored()
            if existing is None:
                raise
            return existing, False
        except IntegrityError:
            existing = stored()
            if existing is None:
                raise
            return existing, False
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
