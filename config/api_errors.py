"""DRF exception handling: a service's Django ValidationError becomes a 400 in DRF's field → messages
shape, and a lookup that failed inside the caller's scope becomes a 404.

Every error body is in the request's language (LocaleMiddleware: Accept-Language, else Simplified
Chinese): a 404 says REST framework's own translated "not found", never the English text Django's
``get_object_or_404`` puts in its Http404 (``No Child matches the given query.``). An address under
``/api/`` that matches no URL, and a server error there, answer JSON too (``handler404``/``handler500``).
"""

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.views import exception_handler

API_PREFIX = "/api/"


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(detail=exc.message_dict)
        else:
            exc = exceptions.ValidationError(detail={"non_field_errors": exc.messages})
    elif isinstance(exc, ObjectDoesNotExist | Http404):
        # Http404's own text is Django's English, written for developers.
        exc = exceptions.NotFound()
    return exception_handler(exc, context)


def _json_error(detail: str, status: int) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status, json_dumps_params={"ensure_ascii": False})


def not_found(request, exception):
    """handler404: JSON under /api/, else the 404 page."""
    if request.path_info.startswith(API_PREFIX):
        return _json_error(str(exceptions.NotFound.default_detail), 404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """handler500: JSON under /api/, else the 500 page."""
    if request.path_info.startswith(API_PREFIX):
        return _json_error(str(exceptions.APIException.default_detail), 500)
    return defaults.server_error(request)
