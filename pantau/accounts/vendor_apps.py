"""The login brake's and two-factor login's apps under names the admin shows in the user's
language (their packages name them in English only: "Axes", "Otp_Totp", "TOTP devices").
Only the display names change; the apps' labels and their models' tables stay theirs."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.apps import DefaultConfig as StaticDefaultConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as TotpDefaultConfig


def _name_models(app_config, singular, plural) -> None:
    # Display only: Meta's original attributes, which migrations compare, are left as they are.
    for model in app_config.get_models():
        if not model._meta.model_name.endswith("device"):
            continue
        model._meta.verbose_name = singular
        model._meta.verbose_name_plural = plural


class AxesConfig(AxesAppConfig):
    verbose_name = _("Login lock-out")


class TotpConfig(TotpDefaultConfig):
    verbose_name = _("Two-factor login: authenticator apps")

    def ready(self):
        super().ready()
        _name_models(self, _("authenticator app"), _("authenticator apps"))


class StaticConfig(StaticDefaultConfig):
    verbose_name = _("Two-factor login: backup codes")

    def ready(self):
        super().ready()
        _name_models(self, _("backup code list"), _("backup code lists"))
