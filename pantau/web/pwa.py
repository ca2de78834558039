"""The installable web app: the manifest, the service worker and the page shown offline.

The worker's source is the static file `pantau/sw.js`; it is served from the root (`/sw.js`)
so that its scope can be the whole site, with a first line that tells it its version and what
to keep. The version is a hash of every file it keeps on the phone (and of itself): when one of
them changes, the browser sees a different worker, installs it and drops the old caches.
"""

import functools
import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import etag

THEME_COLOUR = "#14325c"  # the header bar of pantau.css
BACKGROUND_COLOUR = "#f3f5f8"
WORKER = "pantau/sw.js"
ICONS = {192: "pantau/icons/icon-192.png", 512: "pantau/icons/icon-512.png"}
# What every field page needs, kept by the worker when it installs (the same static paths the
# templates use; the page itself is kept when it is visited, per user).
SHELL = (
    "pantau/pantau.css",
    "django_htmx/htmx-2.min.js",
    "pantau/pwa.js",
    "pantau/offline.js",
    "pantau/locate.js",
    "pantau/photos.js",
    *ICONS.values(),
)
OFFLINE_TEMPLATE = "pwa/offline.html"


def manifest(request: HttpRequest) -> JsonResponse:
    icons = [
        {"src": static(path), "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any"}
        for size, path in ICONS.items()
    ]
    # The letter sits inside the central 80 %: the largest icon doubles as the maskable one.
    icons.append({**icons[-1], "purpose": "maskable"})
    data = {
        "name": "Pantau",
        "short_name": "Pantau",
        "description": _("Election monitoring desk"),
        "lang": getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE),
        "id": reverse("home"),
        "start_url": reverse("home"),
        "scope": reverse("home"),
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": icons,
        "shortcuts": [
            {"name": _("Send a report"), "url": reverse("report-new")},
            {"name": _("Record a problem"), "url": reverse("problem-new")},
        ],
    }
    response = JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _read(path: str) -> bytes:
    found = finders.find(path)
    if not found:
        raise FileNotFoundError(path)
    return Path(found).read_bytes()


def _worker() -> str:
    """The worker's source with its configuration as its first line."""
    source = _read(WORKER)
    digest = hashlib.sha256(source)
    for path in SHELL:
        digest.update(_read(path))
    digest.update(Path(get_template(OFFLINE_TEMPLATE).origin.name).read_bytes())
    version = digest.hexdigest()[:12]
    config = {
        "version": version,
        "shell": [static(path) for path in SHELL] + [reverse("offline")],
        "offline": reverse("offline"),
        # The pages a field user opens without signal: kept per user, when visited.
        "pages": [reverse("home"), reverse("report-new"), reverse("problem-new")],
        "login": reverse("login"),
        "outboxScript": f"{static('pantau/offline.js')}?v={version}",
    }
    return f"self.PANTAU = {json.dumps(config)};\n{source.decode()}"


_cached_worker = functools.lru_cache(maxsize=1)(_worker)


def worker_source() -> str:
    """Computed once per process; again on every request while developing (DEBUG)."""
    return _worker() if settings.DEBUG else _cached_worker()


def _worker_etag(request) -> str:
    return hashlib.sha256(worker_source().encode()).hexdigest()[:16]


@etag(_worker_etag)
def service_worker(request: HttpRequest) -> HttpResponse:
    """The worker, from the root so that it may control every page.

    `no-cache`: the browser asks again on every update check (a 304 with the ETag when nothing
    changed), so a new version reaches the phone on its next visit with signal."""
    response = HttpResponse(worker_source(), content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


def offline(request: HttpRequest) -> HttpResponse:
    """What the worker shows for a page that was not kept on the phone. The same for everyone
    (no user data: it is kept for all accounts), so it does not extend base.html."""
    response = render(request, OFFLINE_TEMPLATE)
    response["Cache-Control"] = "no-cache"
    return response
