"""The forms of the urgent-report pages: report (staff page and phone page) and close."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from alerts.models import DESCRIPTION_MAX_CHARS, OUTCOME_MAX_CHARS, AlertKind


class AlertReportForm(forms.Form):
    # Made when the form is shown: sending the same form twice (a double tap, a retry) is one report.
    id = forms.UUIDField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("What happened"), choices=AlertKind.choices, widget=forms.RadioSelect)
    description = forms.CharField(label=pgettext_lazy("alert", "Description"), max_length=DESCRIPTION_MAX_CHARS,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    occurred_on = forms.DateField(label=_("Occurred on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    # Optional. Checked, resized and stored by alerts.services.alert_photo_add once the report is stored.
    photo = forms.FileField(label=_("Photo (optional)"), required=False)

    # alert_photo_add names the file "image"; here it is "photo".
    SERVICE_FIELDS = {"image": "photo"}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("id", uuid.uuid4())
        super().__init__(*args, **kwargs)


class AlertCloseForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), max_length=OUTCOME_MAX_CHARS,
                              widget=forms.Textarea(attrs={"rows": 3}))
