from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "pantau.api"
    verbose_name = _("API")

    def ready(self):
        checks.register(check_write_rate)


def check_write_rate(app_configs=None, **kwargs) -> list:
    """A PANTAU_API_WRITE_RATE that cannot be read stops `pantau serve` at its start, saying how
    to write it, instead of failing every API write."""
    from django.conf import settings

    from pantau.lib.counters import parse_rate

    rate = getattr(settings, "API_WRITE_RATE", "")
    if not rate:
        return []
    try:
        parse_rate(rate)
    except ValueError as exc:
        return [checks.Error(f"PANTAU_API_WRITE_RATE: {exc}", id="pantau.E101")]
    return []
