"""The user's own settings: the language of her pages (accounts.language applies it) and how she is
notified beyond the app (e-mail, SMS, quiet hours: activities.preferences). Staff open
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


def delivery_form(request):
    """The e-mail/SMS and quiet-hours form (activities.preferences), bound on its own POST; and whether
    it was saved."""
    from activities import preferences  # activities builds on accounts, not the other way round

    user = request.user
    posted = request.method == "POST" and request.POST.get("form") == preferences.FORM_NAME
    form = preferences.DeliveryPreferenceForm(request.POST if posted else None, initial=preferences.initial_for(user))
    if not posted or not form.is_valid():
        return form, False
    try:
        preferences.delivery_preference_set(actor=user, **form.cleaned_data)
    except ValidationError as exc:
        attach_service_errors(exc, form)
        return form, False
    messages.success(request, _("Your notification settings are saved."))
    return form, True


def saved(language: str, to: str):
    response = redirect(to)
    set_language_cookie(response, language)
    return response


def settings_forms(request, *, to: str):
    """Both settings forms of /profile/ and the phone's 我的, each bound on its own POST: the response
    when one was saved (a redirect to ``to``), else None; the language form; the notifications form."""
    from activities.preferences import FORM_NAME

    if request.method == "POST" and request.POST.get("form") == FORM_NAME:
        delivery, done = delivery_form(request)
        if done:
            return redirect(to), None, None
        return None, LanguageForm(initial={"language": user_language(request.user)}), delivery
    form, language = language_form(request)
    if language is not None:
        return saved(language, to), None, None
    delivery, _done = delivery_form(request)
    return None, form, delivery


@require(SIGNED_IN)
@require_http_methods(["GET", "POST"])
def profile(request):
    """我的设置: the language, and the notification channels. A caring mother's is on her phone."""
    if is_volunteer(request.user):
        return redirect("phone:me")
    done, form, delivery = settings_forms(request, to="profile")
    if done is not None:
        return done
    status = 400 if form.errors or delivery.errors else 200
    return render(request, "accounts/profile.html", {"form": form, "delivery_form": delivery}, status=status)
