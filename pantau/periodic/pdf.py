"""The official layout: A4, the regency's letterhead, page numbers; HTML rendered by WeasyPrint.

Where the time of a render goes (kabupaten, 5 pages) and what keeps it short:
- the map is an inline SVG whose boundaries are simplified for the page (mapsvg.py);
- one font family everywhere, the page-number boxes included, so that only two faces (regular
  and bold) are subset and embedded. With HarfBuzz-Subset (Debian: libharfbuzz-subset0)
  subsetting takes milliseconds; without it WeasyPrint falls back to fontTools, about a third
  of a second of CPU for the two faces;
- one WeasyPrint FontConfiguration per thread, so fontconfig's configuration and font list are
  loaded once and Pango's font caches are reused from one report to the next.
"""

import logging
import threading

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from pantau.periodic import mapsvg

# WeasyPrint logs every layout step at INFO: not worth a line each in the server's log; and
# fontTools, which it subsets the fonts with, logs every table at INFO.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
logging.getLogger("fontTools").setLevel(logging.WARNING)

_local = threading.local()


def render_html(content: dict) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            "periodic/report.html",
            {"c": content, "map_svg": mapsvg.render(content["map"]["regions"])},
        )


def _font_config():
    """This thread's FontConfiguration (Pango's font map is not shared between threads)."""
    config = getattr(_local, "font_config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _local.font_config = FontConfiguration()
    return config


def render(content: dict) -> bytes:
    from weasyprint import HTML  # imported here: it is slow to import and only needed here
    from weasyprint.urls import URLFetcher

    # Nothing is fetched: the map is inline, the emblem a data: URI the loader checked, the
    # fonts the system's. A fetcher that allows data: only keeps it so (no network, no files).
    document = HTML(
        string=render_html(content),
        base_url=None,
        url_fetcher=URLFetcher(allowed_protocols=("data",)),
    )
    return document.write_pdf(font_config=_font_config())
