from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "pantau.compliance"
    verbose_name = _("Reporting compliance")

    def ready(self) -> None:
        # The reporting compliance behind pantau.figures.read (below this app: it is told).
        from pantau.compliance import selectors
        from pantau.figures import read

        read.register(compliance=selectors.compliance)
