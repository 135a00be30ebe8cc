from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Users, roles and regions")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from accounts import tokens, usersessions

        user_logged_in.connect(tokens.start_phone_session, dispatch_uid="accounts.tokens.start_phone_session")
        user_logged_in.connect(usersessions.session_started, dispatch_uid="accounts.usersessions.session_started")
        user_logged_out.connect(usersessions.session_ended, dispatch_uid="accounts.usersessions.session_ended")
