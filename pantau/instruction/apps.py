from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstructionConfig(AppConfig):
    name = "pantau.instruction"
    verbose_name = _("Monitoring instruction")
