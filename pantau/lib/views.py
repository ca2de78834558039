"""Helpers for the views of any app: an action's error shown on its form, and whether htmx
asked for a page's fragment."""

from django import forms
from django.http import HttpRequest

from pantau.lib.errors import PantauError


def fragment_requested(request: HttpRequest) -> bool:
    """True when htmx asks for the fragment (not a history restore, which wants the page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not getattr(htmx, "history_restore_request", False)


def pantau_error_to_form(
    form: forms.Form, error: PantauError, mapping: dict[str, str] | None = None
) -> None:
    """Put an action's error on the form: each named field on its field (`mapping` renames an
    action's field to the form's; `answers.<code>` is the checklist field `q_<code>`), the
    message on top."""
    mapping = mapping or {}
    for name, message in (error.fields or {}).items():
        field = mapping.get(name, name)
        if name.startswith("answers."):
            field = "q_" + name.split(".", 1)[1]
        if field in form.fields:
            form.add_error(field, str(message))
    form.add_error(None, error.message)
