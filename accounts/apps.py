from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Users, roles and regions")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts import tokens

        user_logged_in.connect(tokens.start_phone_session, dispatch_uid="accounts.tokens.start_phone_session")
