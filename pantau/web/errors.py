"""The site's own 403, 404 and 500 pages (and the CSRF failure, a 403): in the user's language
(Bahasa Indonesia by default), in the site's layout, with a way back."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from pantau.lib.errors import PantauError


def _back(request) -> str:
    """The page the user came from, when it is on this site (else no "back" link)."""
    referer = request.META.get("HTTP_REFERER", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return ""


def _page(request, status: int, heading: str, message: str) -> HttpResponse:
    context = {"status": status, "heading": heading, "message": message, "back": _back(request)}
    return render(request, "errors/error.html", context, status=status)


def _said(exception, default: str) -> str:
    # Our own errors carry a message written for the user; Django's own are for developers.
    return exception.message if isinstance(exception, PantauError) else default


def bad_request(request, exception=None):
    return _page(
        request,
        400,
        _("Bad request"),
        _said(exception, _("The address or the form holds something this page cannot use.")),
    )


def page_not_found(request, exception=None):
    return _page(
        request,
        404,
        _("Page not found"),
        _said(exception, _("The page does not exist, or it is outside your territory.")),
    )


def permission_denied(request, exception=None):
    return _page(
        request,
        403,
        _("Access denied"),
        _said(exception, _("Your account may not open this page.")),
    )


def csrf_failure(request, reason=""):
    return _page(
        request,
        403,
        _("The form has expired"),
        _(
            "The form was open too long or you logged in again meanwhile. Go back, reload the "
            "page and send it again."
        ),
    )


def server_error(request):
    try:
        return _page(
            request,
            500,
            _("Something went wrong"),
            _(
                "The error has been recorded. Try again in a moment; if it happens again, tell "
                "the administrator (Diskominfo)."
            ),
        )
    except Exception:  # the layout itself may be what fails (e.g. the database is down)
        text = _("Something went wrong. Try again in a moment.")
        return HttpResponse(
            f'<!doctype html><title>Pantau</title><p>{text}</p><p><a href="/">Pantau</a></p>',
            status=500,
        )
