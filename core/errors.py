"""A page whose input a service or helper refused answers 400 with the reasons, never a 500.

Views catch the errors they can show on their own form; a ValidationError that gets out of a view
(a malformed region code in the URL, a month from the future …) ends here: a 400 page listing its
messages, which name the field. The API has its own handler (config.api_errors)."""

from django.core.exceptions import ValidationError
from django.shortcuts import render


def messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [message for messages in error.message_dict.values() for message in messages]
    return list(error.messages)


class BadRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, ValidationError):
            return render(request, "400.html", {"errors": messages_of(exception)}, status=400)
        return None
