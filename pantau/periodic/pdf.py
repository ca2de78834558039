"""The official layout: A4, the regency's letterhead, page numbers; HTML rendered by WeasyPrint."""

import logging

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from pantau.periodic import mapsvg

# WeasyPrint logs every layout step at INFO: not worth a line each in the server's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def render_html(content: dict) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            "periodic/report.html",
            {"c": content, "map_svg": mapsvg.render(content["map"]["regions"])},
        )


def render(content: dict) -> bytes:
    from weasyprint import HTML  # imported here: it is slow to import and only needed here

    # base_url: nothing is fetched (the map is inline); no network, no local files.
    return HTML(string=render_html(content), base_url=None).write_pdf()
