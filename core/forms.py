"""Showing a service's ValidationError on the form that carried the input.

Forms check the shape of input; services check the rules and raise ValidationError keyed by their
own parameter names. A form may map those names onto its fields with ``SERVICE_FIELDS``
(``{"service_param": "form_field"}``); errors for names the form lacks become non-field errors.
"""

from django import forms
from django.core.exceptions import ValidationError


def attach_service_errors(exc: ValidationError, form: forms.Form) -> None:
    aliases = getattr(form, "SERVICE_FIELDS", {})
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, errors in exc.message_dict.items():
        field = aliases.get(key, key)
        form.add_error(field if field in form.fields else None, errors)
