from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChildrenConfig(AppConfig):
    name = "children"
    verbose_name = _("Children")

    def ready(self) -> None:
        from django.core.signals import setting_changed

        from children.identity import forget_keys

        setting_changed.connect(forget_keys, dispatch_uid="children.identity.forget_keys")
