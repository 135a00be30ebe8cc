"""Forms for the pairing pages. They check the shape of the input; the rules live in pairing.services,
whose ValidationErrors the views attach back onto these forms (core.forms.attach_service_errors)."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.regioncodes import is_valid_code, subtree_q
from core.regions import CODE_MESSAGE
from pairing.models import EndReason, PairingRole


def _date_field(label, *, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, initial=timezone.localdate,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class PairingFilterForm(forms.Form):
    """The pairing list's filters (GET)."""

    STATE_CHOICES = [("", _("All")), ("active", pgettext_lazy("pairing state", "Active")), ("ended", _("Ended"))]

    region = forms.CharField(label=_("Region"), required=False)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=[("", _("All")), *PairingRole.choices])
    state = forms.ChoiceField(label=_("State"), required=False, choices=STATE_CHOICES)
    q = forms.CharField(label=_("Search"), required=False, max_length=40)
    volunteer = forms.IntegerField(required=False, widget=forms.HiddenInput)
    child = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean_region(self):
        value = (self.cleaned_data.get("region") or "").strip()
        if value and not is_valid_code(value):
            raise ValidationError(CODE_MESSAGE)
        return value

    def apply(self, queryset):
        data = self.cleaned_data
        if data.get("region"):
            queryset = queryset.filter(subtree_q("child__region", data["region"]))
        if data.get("role"):
            queryset = queryset.filter(role=data["role"])
        if data.get("state") == "active":
            queryset = queryset.filter(ended_on__isnull=True)
        elif data.get("state") == "ended":
            queryset = queryset.filter(ended_on__isnull=False)
        if data.get("volunteer"):
            queryset = queryset.filter(volunteer_id=data["volunteer"])
        if data.get("child"):
            queryset = queryset.filter(child_id=data["child"])
        query = (data.get("q") or "").strip()
        if query:
            match = Q(volunteer__phone__startswith=query) if query.isdigit() else (
                Q(child__name__contains=query) | Q(volunteer__name__contains=query))
            queryset = queryset.filter(match)
        return queryset


class PairingCreateForm(forms.Form):
    """One click on the suggestions page: ``choice`` is "<volunteer id>:<role>"; the start date is shared."""

    choice = forms.RegexField(regex=r"^\d+:(lead|helper)$", error_messages={"invalid": _("Choose a caring mother.")})
    started_on = _date_field(_("Start date"))

    SERVICE_FIELDS = {"volunteer": "choice", "role": "choice", "child": "choice"}

    @property
    def volunteer_id(self) -> int:
        return int(self.cleaned_data["choice"].split(":")[0])

    @property
    def role(self) -> str:
        return self.cleaned_data["choice"].split(":")[1]


class PairingEndForm(forms.Form):
    ended_on = _date_field(_("End date"))
    end_reason = forms.ChoiceField(label=_("Why it ends"), choices=[("", "---------"), *EndReason.choices])
    note = forms.CharField(label=_("Note"), required=False, max_length=300,
                           widget=forms.Textarea(attrs={"rows": 2}))
    # A volunteer id, offered as radio buttons by the page (the helpers, the suggestions, a search);
    # the service checks scope, status and capacity.
    new_lead = forms.IntegerField(label=_("New lead caring mother"), required=False, min_value=1)

    # The new lead's pairing is created inside pairing_end: its errors belong to the new-lead choice.
    SERVICE_FIELDS = {"volunteer": "new_lead", "role": "new_lead", "started_on": "ended_on"}
