"""The dashboard's filters, and the rows of its two per-kecamatan lists built in Python.

The children list and the cluster tables repeat one row per kecamatan (24 each for the Pj
Bupati) with a dozen values, a link, a label and a few words each: as template nodes that was
a third of the page's rendering (every value resolved, localized and escaped node by node, the
words translated and the link reversed once per row). `kid_rows` and `cluster_rows` build the
same markup with `format_html`, the link and the words once per list. Numbers are written as
`str(n)`, which is what the template's localization gives for integers as long as
USE_THOUSAND_SEPARATOR is off (Django's default; pantau/settings.py does not set it)."""

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from pantau.figures.vocabulary import SEVERITIES, SITUATION_LABELS
from pantau.lib.numbers import percent

register = template.Library()


@register.filter
def situation_label(code: str) -> str:
    """The words for a situation code (aman, waspada, rawan, unknown)."""
    return SITUATION_LABELS.get(code, code)


register.filter("percent", percent)  # the desk's one way to write a rate


@register.filter
def get(mapping: dict, key):
    return mapping.get(key, 0) if mapping else 0


def _drill(filter_query: str) -> str:
    """The link to a child's dashboard with the same filters, without the child's code."""
    return f"{reverse('dashboard')}?{filter_query}{'&' if filter_query else ''}region="


def _labels() -> dict[str, str]:
    return {code: str(label) for code, label in SITUATION_LABELS.items()}


KID_ROW = (
    '    <li class="kid" data-code="{code}" data-situation="{situation}" data-open="{open}" '
    'data-overdue="{overdue}">\n'
    '      <a href="{drill}{code}" class="kid-name">{name}</a>\n'
    '      <span class="badge sit-{situation}">{label}</span>\n'
    '      <span class="kid-figs">{w_open} <strong>{open}</strong>{kritis}{tinggi} · {w_overdue} '
    "<strong{overdue_class}>{overdue}</strong> · {w_reports} {reports} · {rate}</span>\n"
    "    </li>\n"
)
KRITIS = ' · <span class="badge sev-kritis">{}</span>'
TINGGI = ' <span class="badge sev-tinggi">{}</span>'
OVERDUE = mark_safe(' class="overdue"')


@register.simple_tag
def kid_rows(children: list[dict], filter_query: str) -> str:
    """The `<li class="kid">` rows of the region's children (`summary()["children"]`)."""
    drill, labels = _drill(filter_query), _labels()
    words = {"w_open": gettext("open"), "w_overdue": gettext("overdue")}
    words["w_reports"] = gettext("reports")
    return format_html_join(
        "",
        KID_ROW,
        (
            {
                **_row(c, drill, labels),
                "overdue_class": OVERDUE if c["problems_overdue"] else "",
                "reports": str(c["reports"]),
                "kritis": _badge(KRITIS, c["by_severity"].get("kritis")),
                "tinggi": _badge(TINGGI, c["by_severity"].get("tinggi")),
                **words,
            }
            for c in children
        ),
    )


def _row(region: dict, drill: str, labels: dict) -> dict:
    """The fields both kinds of rows show of a region's figures."""
    return {
        "code": region["code"],
        "name": region["name"],
        "situation": region["situation"],
        "label": labels.get(region["situation"], region["situation"]),
        "open": str(region["problems_open"]),
        "overdue": str(region["problems_overdue"]),
        "rate": percent(region["reporting_rate"]),
        "drill": drill,
    }


def _badge(markup: str, n) -> str:
    return format_html(markup, str(n)) if n else ""


CLUSTER_ROW = (
    '      <tr data-code="{code}" data-situation="{situation}">\n'
    '        <td><span class="dotsit sit-{situation}" title="{label}"></span>'
    '<a href="{drill}{code}">{name}</a></td>\n'
    '        <td class="num" data-open="{open}"><strong>{open}</strong><br>'
    "<small>{kritis}/{tinggi}/{sedang}/{rendah}</small></td>\n"
    '        <td class="num{overdue_class}">{overdue}</td>\n'
    '        <td class="num">{resolved_today}</td>\n'
    '        <td class="num">{rate}</td>\n'
    "      </tr>\n"
)


@register.simple_tag
def cluster_rows(kecamatan: list[dict], filter_query: str) -> str:
    """The `<tr>` rows of one cluster's table (`clusters()[i]["kecamatan"]`)."""
    drill, labels = _drill(filter_query), _labels()
    return format_html_join(
        "",
        CLUSTER_ROW,
        (
            {
                **_row(k, drill, labels),
                **{sev: str(k["by_severity"].get(sev, "")) for sev in SEVERITIES},
                "overdue_class": " overdue" if k["problems_overdue"] else "",
                "resolved_today": str(k["resolved_today"]),
            }
            for k in kecamatan
        ),
    )
