import json

from django import template

from pantau.audit.wording import field_label

register = template.Library()


@register.filter
def compact(value) -> str:
    """A before/after value on one line: text as it is, anything else as JSON."""
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@register.simple_tag
def audit_field(object_type: str, key: str) -> str:
    """The words of a field name the log stores (see audit.wording)."""
    return field_label(object_type, key)
