"""/api/v1/: the ninja API, the files of its documentation page, and a JSON answer for any other
path or method (never Django's HTML error pages)."""

from functools import wraps

from django.http import HttpResponseNotAllowed
from django.urls import path, re_path, reverse
from django.utils.translation import gettext as _

from pantau.api import docs
from pantau.api.api import api
from pantau.api.errors import error_response


def _json_not_allowed(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            return error_response(
                405,
                "method_not_allowed",
                _("Method %(method)s is not allowed here.") % {"method": request.method},
                headers={"Allow": response["Allow"]},
            )
        return response

    return wrapper


def not_found(request, rest="", **kwargs):
    docs_url = reverse(f"{api.urls_namespace}:openapi-view")
    return error_response(
        404, "not_found", _("Not found. The API is described at %(url)s.") % {"url": docs_url}
    )


not_found.csrf_exempt = True

# (not `app_name`: a module attribute of that name would namespace the whole include)
_patterns, _app, _namespace = api.urls
for _pattern in _patterns:
    if _pattern.name == "api-root":  # ninja's root only names the prefix; it answers 404
        _pattern.callback = not_found
    else:
        _pattern.callback = _json_not_allowed(_pattern.callback)

urlpatterns = [
    path("docs/assets/<str:name>", docs.asset, name="api-docs-asset"),
    path("", (_patterns, _app, _namespace)),
    re_path(r"^(?P<rest>.*)$", not_found),
]
