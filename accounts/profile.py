"""The user's own settings: the language of her pages (accounts.language applies it). Staff open
/profile/; a caring mother has the same form on her phone's 我的 tab (activities.phone.views.me)."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.language import set_language_cookie, user_language
from core.access import SIGNED_IN, is_volunteer, require
from core.forms import attach_service_errors


def language_choices() -> list[tuple[str, str]]:
    # Each language in its own words, so whoever picked the wrong one by mistake finds her way back.
    return [(code, translation.get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES]


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=language_choices, widget=forms.RadioSelect,
                                 help_text=gettext_lazy("The language of every page, on every computer and phone "
                                                        "you log in on."))


def language_form(request) -> tuple[LanguageForm, str | None]:
    """The form, bound on POST; and the language just saved (None when nothing was saved)."""
    user = request.user
    form = LanguageForm(request.POST if request.method == "POST" else None,
                        initial={"language": user_language(user)})
    if request.method != "POST" or not form.is_valid():
        return form, None
    language = form.cleaned_data["language"]
    try:
        services.user_set_language(actor=user, language=language)
    except ValidationError as exc:
        attach_service_errors(exc, form)
        return form, None
    translation.activate(language)  # the message below is in the language just chosen
    request.LANGUAGE_CODE = language
    messages.success(request, _("Your language is saved."))
    return form, language


def saved(language: str, to: str):
    response = redirect(to)
    set_language_cookie(response, language)
    return response


@require(SIGNED_IN)
@require_http_methods(["GET", "POST"])
def profile(request):
    """我的设置: the language (more personal settings may follow). A caring mother's is on her phone."""
    if is_volunteer(request.user):
        return redirect("phone:me")
    form, language = language_form(request)
    if language is not None:
        return saved(language, "profile")
    return render(request, "accounts/profile.html", {"form": form}, status=400 if form.errors else 200)
