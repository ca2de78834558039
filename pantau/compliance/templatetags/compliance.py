from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(rate: float | None) -> str:
    """0.8 -> "80%", 0.6667 -> "66,7%" (in the interface's number format); None -> "–"."""
    if rate is None:
        return "–"
    value = round(rate * 100, 1)
    if value == int(value):
        return f"{int(value)}%"
    return f"{number_format(value, 1)}%"
