"""The browsable documentation at /api/v1/docs: django-ninja's Swagger UI, with its files served
from the installed django-ninja package (never from a CDN: the desk must work on a closed
network, and a page should not load code from elsewhere)."""

import json
import mimetypes
from pathlib import Path

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe
from ninja.openapi.docs import DocsBase

ASSETS_DIR = Path(ninja.__file__).resolve().parent / "static" / "ninja"
ASSETS = frozenset(
    {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-init.js", "favicon.png", "favicon.svg"}
)


class LocalSwagger(DocsBase):
    settings = {"layout": "BaseLayout", "deepLinking": True, "persistAuthorization": False}

    def render_page(self, request: HttpRequest, api, **kwargs) -> HttpResponse:
        swagger_settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        return render(
            request,
            "api/docs.html",
            {
                "api": api,
                "swagger_settings": json.dumps(swagger_settings),
                "css": asset_url("swagger-ui.css"),
                "bundle": asset_url("swagger-ui-bundle.js"),
                "init": asset_url("swagger-ui-init.js"),
                "favicon_svg": asset_url("favicon.svg"),
                "favicon_png": asset_url("favicon.png"),
            },
        )


@require_safe
@cache_control(public=True, max_age=24 * 3600)
def asset(request: HttpRequest, name: str) -> FileResponse:
    """One file of Swagger UI from django-ninja's package."""
    if name not in ASSETS:
        raise Http404(name)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse((ASSETS_DIR / name).open("rb"), content_type=content_type)


def asset_url(name: str) -> str:
    return reverse("api-docs-asset", args=[name])
