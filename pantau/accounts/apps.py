from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "pantau.accounts"
    verbose_name = _("People and access")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from pantau.accounts.lockout import reset_on_login
        from pantau.accounts.middleware import on_login

        user_logged_in.connect(on_login, dispatch_uid="pantau.accounts.on_login")
        user_logged_in.connect(reset_on_login, dispatch_uid="pantau.accounts.reset_on_login")
