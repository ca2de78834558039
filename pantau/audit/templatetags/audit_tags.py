import json

from django import template

register = template.Library()


@register.filter
def compact(value) -> str:
    """A before/after value on one line: text as it is, anything else as JSON."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
