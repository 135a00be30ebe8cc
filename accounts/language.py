"""The language of the pages: the signed-in user's own choice (User.language, set on the profile page),
Simplified Chinese unless she chose otherwise — whatever the browser asks for, on every computer and
phone she signs in on. There is no switcher on the pages.

Before login (the login page), Django's LocaleMiddleware decides from the language cookie, which this
middleware keeps equal to the user's choice, so the login page after a logout speaks her language too.
An API client with a token is not signed in here: its language stays the request's (Accept-Language).
"""

from django.conf import settings
from django.utils import translation


def user_language(user) -> str | None:
    """The language the signed-in ``user`` chose (a supported code), or None for a visitor."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return translation.get_supported_language_variant(user.language or settings.LANGUAGE_CODE)
    except LookupError:
        return settings.LANGUAGE_CODE


class UserLanguageMiddleware:
    """After AuthenticationMiddleware (and LocaleMiddleware): activate the session user's language for
    the request, and set the language cookie when it says otherwise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = user_language(getattr(request, "user", None))
        if language is not None:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if language is not None and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            set_language_cookie(response, language)
        return response


def set_language_cookie(response, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language,
        max_age=settings.LANGUAGE_COOKIE_AGE, path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN, secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY, samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
