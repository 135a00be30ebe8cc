"""A page whose input a service or helper refused answers 400 with the reasons, never a 500.

Views catch the errors they can show on their own form; a ValidationError that gets out of a view
(a malformed region code in the URL, a month from the future …) ends here: a 400 page listing its
messages, which name the field. The API has its own handler (config.api_errors).

A NUL character (0x00) is refused here too, before any view runs: PostgreSQL cannot store or compare
a string containing one (psycopg refuses the parameter), so a NUL in the path, in a query-string
parameter or in a posted form's field answers 400 naming the parameter — the 400 page, or for the API
(``/api/``) JSON in DRF's ``{field: [messages]}`` shape. A NUL that still reaches the database by
another way (a JSON body into a field that does not refuse it …) is caught as the driver's error and
answered the same way, without a field."""

from django.core.exceptions import ValidationError
from django.db import DataError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

NUL = "\x00"
API_PREFIX = "/api/"
# What psycopg 3 ("… cannot contain NUL (0x00) bytes") and psycopg2 ("… NUL (0x00) characters") say.
_DRIVER_NUL_MESSAGE = "NUL (0x00)"


def messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [message for messages in error.message_dict.values() for message in messages]
    return list(error.messages)


def _nul_errors(request) -> dict[str, list[str]] | None:
    """{field: [message]} for the first NUL in the path, the query string or a posted form, else None."""
    if NUL in request.path_info:
        return {"non_field_errors": [_("The address contains a NUL character (0x00), which is not allowed.")]}
    # Django parses a body into request.POST only for a form POST (as CsrfViewMiddleware reads it
    # anyway); the API's JSON bodies go through serializers, whose text fields refuse a NUL themselves.
    sources = [request.GET] if request.path_info.startswith(API_PREFIX) else [request.GET, request.POST]
    for params in sources:
        for name, values in params.lists():
            if NUL in name:
                return {"non_field_errors": [_("A parameter's name contains a NUL character (0x00), which is "
                                               "not allowed.")]}
            if any(NUL in value for value in values):
                return {name: [_("“%(field)s” contains a NUL character (0x00), which is not allowed.")
                               % {"field": name}]}
    return None


def _bad_request(request, errors: dict[str, list[str]]):
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse(errors, status=400, json_dumps_params={"ensure_ascii": False})
    messages = [message for field_messages in errors.values() for message in field_messages]
    return render(request, "400.html", {"errors": messages}, status=400)


class BadRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        errors = _nul_errors(request)
        if errors is not None:
            return _bad_request(request, errors)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ValidationError):
            return render(request, "400.html", {"errors": messages_of(exception)}, status=400)
        if isinstance(exception, ValueError | DataError) and _DRIVER_NUL_MESSAGE in str(exception):
            return _bad_request(request, {"non_field_errors": [
                _("The request contains a NUL character (0x00), which cannot be stored.")]})
        return None
