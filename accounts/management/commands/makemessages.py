from django.core.management.commands import makemessages


class Command(makemessages.Command):
    """makemessages that also extracts ``_lazy("…")``: modules that use ``gettext as _`` import
    ``gettext_lazy as _lazy`` for their class-level labels."""

    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_lazy"]
