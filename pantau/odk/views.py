"""The OpenRosa interface for ODK Collect: the Form List API, the forms, the Form Submission API.

The server URL to set in ODK Collect is `https://<host>/odk/`; Collect asks `<server>/formList`
and `<server>/submission`. Every answer carries the OpenRosa headers; an error is an
OpenRosaResponse message in the user's language with a 4xx status, which Collect shows.
"""

from functools import wraps

from django.core.exceptions import SuspiciousOperation
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from pantau.lib.errors import Invalid, NotFound, PantauError
from pantau.odk import auth, xforms
from pantau.odk.actions import do_receive_submission
from pantau.odk.instances import files_by_name

XML = "text/xml; charset=utf-8"
# The largest POST body ODK Collect should send; it splits larger submissions.
ACCEPT_CONTENT_LENGTH = 10 * 1024 * 1024
MAX_XML_READ = 1024 * 1024  # more than any instance; parse_instance refuses what is too large


class MethodNotAllowed(PantauError):
    code = "method_not_allowed"
    status = 405


def message(request, text: str, *, status: int, nature: str) -> HttpResponse:
    """An OpenRosaResponse with one message (`nature`: submit_success or an error code)."""
    body = render_to_string("odk/response.xml", {"message": text, "nature": nature})
    return HttpResponse(body, status=status, content_type=XML)


def _error_text(exc: PantauError) -> str:
    if not exc.fields:
        return exc.message
    details = "; ".join(f"{name}: {problem}" for name, problem in exc.fields.items())
    return f"{exc.message} ({details})"


def openrosa(*methods: str, submission: bool = False):
    """An OpenRosa endpoint: csrf-exempt (no cookies, Basic credentials on every request),
    authenticated, with the OpenRosa headers and errors as OpenRosaResponse messages. The view
    is called as view(request, user, ...). A `submission` endpoint also tells every answer,
    errors included, the size of POST it accepts."""

    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def endpoint(request, *args, **kwargs):
            try:
                if request.method not in methods:
                    raise MethodNotAllowed(_("This address does not take that request."))
                user = auth.authenticate_request(request)
                response = view(request, user, *args, **kwargs)
            except PantauError as exc:
                response = message(request, _error_text(exc), status=exc.status, nature=exc.code)
                if exc.status == 401:
                    response["WWW-Authenticate"] = f'Basic realm="{auth.REALM}", charset="UTF-8"'
                elif exc.status == 429 and getattr(exc, "retry_after", None):
                    response["Retry-After"] = str(max(1, exc.retry_after))
                elif exc.status == 405:
                    response["Allow"] = ", ".join(methods)
            response["X-OpenRosa-Version"] = "1.0"
            # OpenRosa wants a Date on every answer; gunicorn puts its own in place of this
            # one, runserver keeps it (test_server.py: exactly one over the wire).
            response["Date"] = http_date()
            response["Cache-Control"] = "private, no-store"
            if submission:
                response["X-OpenRosa-Accept-Content-Length"] = str(ACCEPT_CONTENT_LENGTH)
            return response

        return endpoint

    return decorate


@openrosa("GET", "HEAD")
def form_list(request, user):
    """The Form List API: the user's blank forms (`?formID=` narrows it to one)."""
    forms = xforms.forms_for(user)
    wanted = request.GET.get("formID")
    if wanted:
        forms = [f for f in forms if f.form_id == wanted]
    items = [
        {
            "form": f,
            "url": request.build_absolute_uri(reverse("odk-form", args=[f.form_id])),
        }
        for f in forms
    ]
    body = render_to_string("odk/form_list.xml", {"items": items})
    return HttpResponse(body, content_type=XML)


@openrosa("GET", "HEAD")
def form(request, user, form_id: str):
    """One blank form (the XForm), as the form list links it."""
    found = xforms.find_form(user, form_id)
    if found is None:
        raise NotFound(_("This form is not available to you."), code="unknown_form")
    return HttpResponse(found.xml, content_type=XML)


@openrosa("HEAD", "GET", "POST", submission=True)
def submission(request, user):
    """The Form Submission API. HEAD (and GET) answer 204: ODK Collect asks first, to learn
    the accepted size and to authenticate. POST takes the `xml_submission_file` and the
    photos it names: 201 when stored, 202 when it had been stored before."""
    if request.method != "POST":
        return HttpResponse(status=204)
    return _receive(request, user)


def _receive(request, user) -> HttpResponse:
    try:
        files = request.FILES
    except (SuspiciousOperation, MultiPartParserError):
        raise Invalid(
            _("The submission could not be read (too large or malformed)."),
            code="invalid_request",
        ) from None
    upload = files.get("xml_submission_file")
    if upload is None:
        raise Invalid(_("The submission has no xml_submission_file."), code="invalid_request")
    receipt = do_receive_submission(
        acting_user=user,
        xml=upload.read(MAX_XML_READ),
        files=files_by_name(files),
    )
    if receipt.created:
        text = (
            _("Report received. Thank you.")
            if receipt.submission.report_id
            else _("Problem recorded. Thank you.")
        )
        status = 201
    elif receipt.added:
        text, status = _("The remaining photos have been received."), 201
    else:
        text, status = _("This form had already been received; it is stored once."), 202
    return message(request, text, status=status, nature="submit_success")
