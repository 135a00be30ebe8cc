"""DRF exception handling: a service's Django ValidationError becomes a 400 in DRF's field → messages
shape, and a lookup that failed inside the caller's scope becomes a 404."""

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.views import exception_handler


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(detail=exc.message_dict)
        else:
            exc = exceptions.ValidationError(detail={"non_field_errors": exc.messages})
    elif isinstance(exc, ObjectDoesNotExist):
        exc = Http404()
    return exception_handler(exc, context)
