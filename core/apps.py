from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What the apps share (see the package's modules); no models."""

    name = "core"

    def ready(self):
        from core import json_types

        json_types.install()
