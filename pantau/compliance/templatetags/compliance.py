from django import template

from pantau.lib.numbers import percent

register = template.Library()

register.filter("percent", percent)  # the desk's one way to write a rate
