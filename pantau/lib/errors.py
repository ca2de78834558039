"""One error hierarchy: a stable machine code, an HTTP status and a message for the user; and
one JSON shape for it, `{"detail": message, "code": machine code, "fields": {field: what is
wrong}}`, answered by the API and by the web forms to the phone's outbox alike."""

from collections.abc import Mapping

from django.core.exceptions import BadRequest
from django.http import Http404, JsonResponse


class PantauError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}


class NotFound(PantauError, Http404):
    """Missing and forbidden look the same from outside: never reveal what exists elsewhere."""

    code = "not_found"
    status = 404


class Forbidden(PantauError):
    code = "forbidden"
    status = 403


class Invalid(PantauError):
    code = "invalid"
    status = 400


class InvalidPage(Invalid, BadRequest):
    """Invalid input to a page (not the API): Django answers it with the site's 400 page."""


class SourceError:
    """One problem found in an input file, located by file and line (or feature)."""

    def __init__(self, source: str, where: str | int | None, message: str):
        self.source = source
        self.where = where
        self.message = message

    def __str__(self) -> str:
        if self.where is None:
            return f"{self.source}: {self.message}"
        return f"{self.source}:{self.where}: {self.message}"

    def __repr__(self) -> str:
        return f"SourceError({str(self)!r})"


class InputFileError(PantauError):
    """A file that cannot be loaded; carries every problem found, not only the first."""

    code = "invalid_file"

    def __init__(self, message: str, errors: list[SourceError]):
        super().__init__(message)
        self.errors = errors

    def __str__(self) -> str:
        return "\n".join([self.message, *(f"  - {e}" for e in self.errors)])


class Conflict(PantauError):
    """The request contradicts the current state (a transition not allowed, a stale version)."""

    code = "conflict"
    status = 409


class NotAuthenticated(PantauError):
    code = "not_authenticated"
    status = 401


class RateLimited(PantauError):
    code = "rate_limited"
    status = 429

    def __init__(self, message: str, *, retry_after: int | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


def error_json(status: int, code: str, detail: str, fields: Mapping | None = None) -> JsonResponse:
    """The one JSON error shape: `fields` keyed by the field's name as the client sent it."""
    body = {
        "detail": _printable(detail),
        "code": code,
        "fields": {_printable(k): _printable(v) for k, v in (fields or {}).items()},
    }
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _printable(text) -> str:
    # A field path may carry what the client sent, a lone surrogate included: never let it
    # break the answer.
    return str(text).encode("utf-8", "replace").decode("utf-8")
