"""The "记录一次关爱" form. It parses input only; every rule (dates, pairing, aid limits …) lives in
activities.services.activity_record, which the view calls."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import ActivityKind, CareService
from children.names import given_name


class ChildChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return given_name(obj.name)


class LogForm(forms.Form):
    # activity_record names the children it refuses "children"; this form has one "child". photo_add
    # names the file "image"; here it is "photo".
    SERVICE_FIELDS = {"children": "child", "image": "photo"}

    # Filled by app.js with the client's UUID; the no-JavaScript fallback leaves it empty.
    id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    child = ChildChoiceField(label=_("Child"), queryset=None, widget=forms.RadioSelect, empty_label=None)
    occurred_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices, widget=forms.RadioSelect,
                             initial=ActivityKind.HOME_VISIT)
    services = forms.MultipleChoiceField(label=_("Services given"), choices=CareService.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), required=False,
                                          widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    # Optional like the rest of "more": left empty it counts the one visit (1 人次), as the phone's queue does.
    participants = forms.IntegerField(label=_("Participants (人次)"), initial=1, required=False,
                                      widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    aid_value_yuan = forms.DecimalField(label=_("Aid value (yuan)"), required=False,
                                        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01"}))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    follow_up = forms.BooleanField(label=_("Needs follow-up (opens a need)"), required=False)
    # Shown (without JavaScript) once the service has asked to confirm an unusually large figure.
    confirm_large = forms.BooleanField(label=_("The figures are right: save them as they are"), required=False)
    # Shown once the service has said the child already has this kind of activity that day.
    confirm_repeat = forms.BooleanField(label=_("Record another one anyway"), required=False)
    # Optional. Checked, resized and stored by activities.photos.photo_add once the activity is recorded
    # (the page has two inputs of this name, the camera and the album; a browser sends the chosen one).
    photo = forms.FileField(label=_("Photo (optional)"), required=False)

    def __init__(self, *args, children, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child"].queryset = children
        self.fields["occurred_on"].initial = timezone.localdate

    def clean_participants(self) -> int:
        value = self.cleaned_data.get("participants")
        return 1 if value is None else value
