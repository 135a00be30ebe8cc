"""How a user wants notifications beyond the in-app list (always on): e-mail, SMS, and quiet hours.
Edited on /profile/ (accounts.profile), stored as activities.models.DeliveryPreference and read by
activities.delivery."""

from datetime import time

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from activities import channels
from activities.models import DeliveryPreference

FORM_NAME = "delivery"  # the hidden field telling this form's POST from the language form's


class DeliveryPreferenceForm(forms.Form):
    email = forms.BooleanField(label=gettext_lazy("Also by e-mail"), required=False)
    sms = forms.BooleanField(label=gettext_lazy("Also by SMS"), required=False,
                             help_text=gettext_lazy("An SMS says only that there is news; read it on the platform."))
    quiet_start = forms.TimeField(label=gettext_lazy("Quiet hours from"), required=False,
                                  widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    quiet_end = forms.TimeField(label=gettext_lazy("Quiet hours until"), required=False,
                                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                                help_text=gettext_lazy("Nothing but urgent reports is sent by e-mail or SMS in "
                                                       "these hours (Beijing time); it follows when they end."))


def preference_of(user: User) -> DeliveryPreference | None:
    return DeliveryPreference.objects.filter(user=user).first()


def initial_for(user: User) -> dict:
    found = preference_of(user)
    if found is None:
        return {}
    return {"email": found.email, "sms": found.sms, "quiet_start": found.quiet_start, "quiet_end": found.quiet_end}


@transaction.atomic
def delivery_preference_set(*, actor: User, email: bool, sms: bool, quiet_start: time | None,
                            quiet_end: time | None) -> DeliveryPreference:
    """Store the actor's own channels and quiet hours. A channel needs its address on the account (an
    administrator sets them); quiet hours need both ends, and not the same time."""
    errors = {}
    if email and not actor.email:
        errors["email"] = _("Your account has no e-mail address; ask an administrator to add it first.")
    if sms and not actor.phone:
        errors["sms"] = _("Your account has no mobile number; ask an administrator to add it first.")
    elif sms and not channels.sms_enabled():
        errors["sms"] = _("SMS is not set up on this platform.")
    if (quiet_start is None) != (quiet_end is None):
        field = "quiet_end" if quiet_end is None else "quiet_start"
        errors[field] = _("Enter both the start and the end of the quiet hours, or neither.")
    elif quiet_start is not None and quiet_start == quiet_end:
        errors["quiet_end"] = _("The quiet hours cannot start and end at the same time.")
    if errors:
        raise ValidationError(errors)
    preference, _created = DeliveryPreference.objects.update_or_create(
        user=actor, defaults={"email": email, "sms": sms, "quiet_start": quiet_start, "quiet_end": quiet_end})
    return preference
