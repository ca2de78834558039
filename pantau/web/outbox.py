"""How the report and problem forms answer the phone's outbox (static/pantau/offline.js).

A form post from a browser without the script gets what it always got: a redirect to what was
stored, or the form again with its errors. offline.js sends the same form with the header
`X-Pantau-Outbox`:

- `page`: the person pressed "send" and waits on the page. A success answers JSON (what was
  stored and where to go next; the messages wait in the session for that next page), an error
  the form with its errors, as without the script.
- `queue`: an item of the outbox, sent in the background. Every answer is JSON, and nothing is
  put in the session: the page shows what happened in its outbox box.

Refusals are JSON in the API's error shape, `{"detail", "code", "fields"}` with the fields by
their posted names (pantau.lib.errors.error_json).

The script deletes an item from the phone only when the answer names its `client_id`: a login
page, a captive portal or a proxy's error page never counts as delivered.

`X-Pantau-Outbox-User` names the account that saved the item on the phone. When another account
is logged in now, the item is refused (403, code `other_user`) and stays on the phone: a report
is never stored under someone else's name.
"""

import uuid
from urllib.parse import unquote

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from pantau.lib.errors import PantauError, error_json

MODE_HEADER = "X-Pantau-Outbox"
USER_HEADER = "X-Pantau-Outbox-User"
PAGE, QUEUE = "page", "queue"


def mode(request: HttpRequest) -> str:
    """`page`, `queue`, or "" for a plain form post."""
    value = request.headers.get(MODE_HEADER, "")
    return value if value in (PAGE, QUEUE) else ""


def other_user(request: HttpRequest) -> HttpResponse | None:
    """The refusal of an item saved on the phone by another account than the one logged in."""
    sender = unquote(request.headers.get(USER_HEADER, ""))  # URL-encoded: headers are Latin-1
    if not mode(request) or not sender or sender == request.user.get_username():
        return None
    return error_json(
        403,
        "other_user",
        _("This was saved on the phone by %(user)s. Log in as %(user)s to send it.")
        % {"user": sender},
    )


def client_id(request: HttpRequest) -> uuid.UUID | None:
    try:
        return uuid.UUID(request.POST.get("client_id", ""))
    except ValueError:
        return None


def already_stored(request: HttpRequest, own):
    """The object of the user's own (`own`, a queryset) with the posted client_id, if it is
    stored already: an item sent again whose first answer was lost gets the first copy back
    even if the form would no longer be valid (a stage closed since, a checklist changed)."""
    cid = client_id(request)
    return own.filter(client_id=cid).first() if cid else None


def stored(
    request: HttpRequest,
    obj,
    *,
    created: bool,
    next_url: str,
    notes: list[tuple[int, str]],
    client_id: uuid.UUID | None = None,
) -> HttpResponse:
    """The answer to a report or problem stored (`created`) or found stored already.

    `notes` are (message level, text): the messages of a plain or page post, shown by the next
    page; the `notes` of the JSON for the outbox. `client_id` is the posted one when it is not
    the object's own (photos added to a report)."""
    how = mode(request)
    if how != QUEUE:
        for level, text in notes:
            messages.add_message(request, level, text)
    if not how:
        return redirect(next_url)
    return JsonResponse(
        {
            "client_id": str(client_id or obj.client_id),
            "id": obj.pk,
            "url": obj.get_absolute_url(),
            "created": created,
            "next": next_url,
            "notes": [text for _level, text in notes] if how == QUEUE else [],
        },
        status=201 if created else 200,
    )


def refused(form, *, status: int = 400, error: PantauError | None = None) -> JsonResponse:
    """A form the server refused, for the outbox, in the API's error shape: the message and,
    per field (by the name it was posted under), what is wrong. The item stays on the phone,
    marked, until the person deletes it; offline.js shows each field by the label it kept."""
    fields = {
        name: " ".join(str(e) for e in errors)
        for name, errors in form.errors.items()
        if name != "__all__"
    }
    general = [str(e) for e in form.non_field_errors()]
    message = error.message if error else (" ".join(general) or _("Check the form."))
    return error_json(status, error.code if error else "invalid", message, fields)
