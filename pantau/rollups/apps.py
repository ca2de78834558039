from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RollupsConfig(AppConfig):
    name = "pantau.rollups"
    verbose_name = _("Dashboard rollups")

    def ready(self) -> None:
        # The rollups answer the desk's counts and daily series where they can answer exactly
        # (pantau.figures.read, the one entry to the figures, is below this app: it is told).
        from pantau.figures import read
        from pantau.rollups import read as rollups

        read.register(counts=rollups.figures, series=rollups.series)
