from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RollupsConfig(AppConfig):
    name = "pantau.rollups"
    verbose_name = _("Dashboard rollups")
