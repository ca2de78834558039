"""One JSON error shape for the whole API: {"detail": message, "code": machine code, "fields"}
(pantau.lib.errors.error_json, which the web forms answer the phone's outbox with too).

Every error a request can meet becomes that shape here: Pantau's own errors (`PantauError`, with
the status and code the actions chose), ninja's validation errors and unparsable bodies (400,
code "invalid", `fields` naming each bad field by its dotted path), a missing or bad token
(401), an oversized body or upload (413), too many attempts (429). A bug is a 500 in the same
shape, logged with its traceback.

Validation errors are 400, like `pantau.lib.errors.Invalid`: one status for "your input is
wrong", whether ninja or an action noticed.
"""

import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from pydantic import Field

from pantau.lib.errors import PantauError, RateLimited, error_json

logger = logging.getLogger(__name__)


class ErrorOut(Schema):
    """The one error shape."""

    detail: str = Field(description="What went wrong, in the interface language (Indonesian).")
    code: str = Field(description="A stable machine code, e.g. invalid, not_found, stale.")
    fields: dict[str, str] = Field(
        default_factory=dict, description="Per bad field (dotted path): what is wrong with it."
    )


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """Response schemas for the error statuses an endpoint can answer."""
    return {status: ErrorOut for status in statuses}


def refuse_a_body(request: HttpRequest) -> None:
    """For a request that carries nothing (no request body in the OpenAPI document): an empty
    body, `{}` or `null` is nothing; anything else is a client's mistake worth telling (400),
    never silently ignored."""
    body = request.body.strip()
    try:
        empty = not body or json.loads(body) in ({}, None)
    except (ValueError, RecursionError):
        empty = False
    if not empty:
        raise PantauError(_("This request takes no body: send it empty."), code="invalid")


def error_response(
    status: int,
    code: str,
    detail: str,
    fields: Mapping | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    response = error_json(status, code, detail, fields)
    for name, value in (headers or {}).items():
        response[name] = value
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="pantau"'
    return response


def _pantau_error(request: HttpRequest, exc: PantauError) -> HttpResponse:
    # An action that refuses an upload for its size says so with code "too_large" and 400; over
    # HTTP that is 413.
    status = 413 if exc.code == "too_large" else exc.status
    headers = {}
    if isinstance(exc, RateLimited) and exc.retry_after:
        headers["Retry-After"] = str(max(1, exc.retry_after))
    return error_response(status, exc.code, exc.message, exc.fields, headers)


# What each kind of pydantic error says about the field, in words the interface translates.
def _field_message(error: dict) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("required")
    if kind == "extra_forbidden":
        return _("unknown field")
    if kind.endswith("_too_long"):
        return _("at most %(max)s characters or items") % {"max": ctx.get("max_length", "?")}
    if kind.endswith("_too_short"):
        return _("at least %(min)s characters or items") % {"min": ctx.get("min_length", "?")}
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return _("out of range")
    if kind in ("enum", "literal_error"):
        return _("one of: %(expected)s") % {"expected": ctx.get("expected", "")}
    if kind == "finite_number":
        return _("must be a finite number")
    if kind in ("uuid_parsing", "uuid_type"):
        return _("not a UUID")
    if kind.startswith(("datetime", "date")):
        return _("not a date and time (ISO 8601)")
    if kind in ("text_nul", "text_unicode", "string_unicode"):
        return _("contains characters that are not allowed")
    if kind == "year_range":
        return _("not a plausible date")
    if kind == "answer_range":
        return _("out of range")
    if kind == "answer_type":
        return _("answer yes/no, a number or text")
    if kind == "tps_type":
        return _("a number from 1 to 999")
    if kind.endswith(("_type", "_parsing")) or kind == "model_attributes_type":
        return _("wrong type")
    return _("not valid")


def _field_path(loc: Iterable) -> str:
    """("body", "payload", "answers", "q1") -> "answers.q1"; ("query", "page") -> "page"."""
    parts = [str(p) for p in loc if p != "[key]"]  # (a bad key of a mapping: name the key)
    source, rest = (parts[0], parts[1:]) if parts else ("", [])
    if source == "body" and rest and rest[0] == "payload":
        rest = rest[1:]
    return ".".join(rest) or ("body" if source == "body" else source)


def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for error in exc.errors:
        fields.setdefault(_field_path(error.get("loc", ())), _field_message(error))
    return error_response(400, "invalid", _("Some fields are not valid."), fields)


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, RequestDataTooBig):
        return _too_big(request, exc.__cause__)
    if isinstance(exc, AuthenticationError):
        return error_response(
            401, "not_authenticated", _("Log in first: send the header Authorization: Bearer.")
        )
    if isinstance(exc, Throttled):  # ninja adds Retry-After
        return error_response(
            429, "rate_limited", _("Too many requests. Wait a moment and send again.")
        )
    if exc.status_code == 400:  # ninja could not parse the body
        return error_response(
            400, "invalid", _("The request body is not valid JSON."), {"body": _("not valid JSON")}
        )
    return error_response(exc.status_code, "error", str(exc))


def _too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(413, "too_large", _("The request is too large."))


def _bad_request(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(400, "invalid", _("The request could not be read."))


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(404, "not_found", _("Not found."))


def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error on %s %s", request.method, request.path)
    return error_response(500, "server_error", _("Something went wrong on the server."))


def install(api: NinjaAPI) -> None:
    """Turn every error into the one shape (the most specific handler wins)."""
    api.add_exception_handler(PantauError, _pantau_error)
    api.add_exception_handler(ValidationError, _validation_error)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(RequestDataTooBig, _too_big)
    api.add_exception_handler(SuspiciousOperation, _bad_request)
    api.add_exception_handler(MultiPartParserError, _bad_request)
    api.add_exception_handler(UnicodeDecodeError, _bad_request)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(Exception, _server_error)


@contextmanager
def field_names(names: Mapping[str, str]) -> Iterator[None]:
    """Name an action's fields as the API does (the report's `situation` is `status` here)."""
    try:
        yield
    except PantauError as exc:
        exc.fields = {names.get(name, name): message for name, message in exc.fields.items()}
        raise
