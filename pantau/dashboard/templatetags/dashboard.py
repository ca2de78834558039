"""The dashboard's filters: the words for situation and severity codes, a rate in percent, the
open problems by severity in words. The rows themselves are template partials
(templates/dashboard/_kid.html and _cluster_row.html)."""

from django import template
from django.utils.translation import gettext as _

from pantau.figures.vocabulary import SEVERITIES, SITUATION_LABELS
from pantau.lib.numbers import percent as rate_text
from pantau.problems.models import Severity

register = template.Library()


@register.filter
def situation_label(code: str) -> str:
    """The words for a situation code (aman, waspada, rawan, unknown)."""
    return SITUATION_LABELS.get(code, code)


@register.filter
def severity_label(code: str) -> str:
    """The words for a severity code (kritis, tinggi, sedang, rendah)."""
    try:
        return Severity(code).label
    except ValueError:
        return code


@register.filter
def percent(rate) -> str:
    """A reporting rate (0..1) as the desk writes it (pantau.lib.numbers); in words when no
    report was due."""
    if rate is None:
        return _("no report due yet")
    return rate_text(rate)


@register.filter
def severities(by_severity: dict) -> list[tuple[str, str, int]]:
    """The severities with open problems, worst first: (code, words, count)."""
    by_severity = by_severity or {}
    return [(s, Severity(s).label, by_severity[s]) for s in SEVERITIES if by_severity.get(s)]


@register.filter
def get(mapping: dict, key):
    return mapping.get(key, 0) if mapping else 0
