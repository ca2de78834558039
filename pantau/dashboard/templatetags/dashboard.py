from django import template

from pantau.dashboard.selectors import SITUATION_LABELS

register = template.Library()


@register.filter
def situation_label(code: str) -> str:
    """The words for a situation code (aman, waspada, rawan, unknown)."""
    return SITUATION_LABELS.get(code, code)


@register.filter
def percent(rate) -> str:
    """A reporting rate (0..1) as a percentage; a dash when it is not known."""
    if rate is None:
        return "–"
    return f"{round(rate * 100)}%"


@register.filter
def get(mapping: dict, key):
    return mapping.get(key, 0) if mapping else 0
