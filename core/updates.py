"""Changing a model's fields from a service's keyword arguments, the one way every update service does."""

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _


def model_update(*, instance: models.Model, data: Mapping[str, object], allowed: Iterable[str],
                 strip: bool = True) -> dict[str, tuple[object, object]]:
    """Set on ``instance`` the values of ``data`` that differ from its own, without saving.

    Keys outside ``allowed`` are refused with a ValidationError naming them (and nothing is set);
    strings are stripped. Returns what changed, ``{field: (old, new)}``, for the audit log and for
    deciding whether to save."""
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError(_("These fields cannot be changed here: %(fields)s")
                              % {"fields": ", ".join(sorted(unknown))})
    changes = {}
    for field, value in data.items():
        if strip and isinstance(value, str):
            value = value.strip()
        old = getattr(instance, field)
        if old != value:
            changes[field] = (old, value)
            setattr(instance, field, value)
    return changes
