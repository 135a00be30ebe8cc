"""The response given when django-axes has locked an account after repeated failed logins."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "Too many failed logins: this account is locked for %(minutes)s minutes. "
        "Try again later or ask your administrator."
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": lockout_message()}, status=429)
    from accounts.forms import LoginForm

    form = LoginForm(request, data=request.POST or None)
    return render(request, "registration/login.html", {"form": form, "lockout_message": lockout_message()},
                  status=429)
