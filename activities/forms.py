"""Forms for the staff pages of care activities.

They check the shape of the input (dates parse, numbers are numbers, choices exist); every rule about
activities lives in activities.services (and activities.photos), whose ValidationErrors the views
attach back onto these forms' fields with core.forms.attach_service_errors.
"""

import uuid

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from activities.models import ActivityKind, CareService


def _date_field(label) -> forms.DateField:
    return forms.DateField(label=label, initial=timezone.localdate,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class _DetailsFields(forms.Form):
    """What was done: the fields recording and correcting share."""

    occurred_on = _date_field(_("Date"))
    kind = forms.ChoiceField(label=_("Kind"), choices=ActivityKind.choices, initial=ActivityKind.HOME_VISIT)
    services = forms.MultipleChoiceField(label=_("Services given"), choices=CareService.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), required=False,
                                          widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    place = forms.CharField(label=_("Place"), max_length=120, required=False)
    participants = forms.IntegerField(label=_("Participants (人次)"), required=False,
                                      help_text=_("Person-times counted in the totals. Left empty: the number of "
                                                  "children."),
                                      widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    aid_value_yuan = forms.DecimalField(label=_("Aid value (yuan)"), required=False, max_digits=12, decimal_places=2,
                                        widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    confirm_large_aid = forms.BooleanField(label=_("I have checked this large aid value"), required=False,
                                           help_text=_("Needed for values above 100,000 yuan."))
    confirm_large_participants = forms.BooleanField(label=_("I have checked this large number of person-times"),
                                                    required=False)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=4000,
                            widget=forms.Textarea(attrs={"rows": 3}))

    # Ticked by the person filling the form in; never an initial value of the record.
    CONFIRMATIONS = ("confirm_large_aid", "confirm_large_participants")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["confirm_large_participants"].help_text = _(
            "Needed for more than %(n)s person-times (at most %(max)s).") % {
            "n": settings.ACTIVITY_CONFIRM_PARTICIPANTS, "max": settings.ACTIVITY_MAX_PARTICIPANTS}


class ActivityRecordForm(_DetailsFields):
    """Record an activity on behalf of a caring mother. The choices of ``volunteer``, ``children`` and
    ``co_volunteers`` are the candidates the page offers (the view passes them); the service checks
    scope, pairings and dates. ``id`` is generated when the form is shown, so a double submit
    records the activity once."""

    id = forms.UUIDField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Title"), max_length=120, required=False,
                            help_text=_("For a group activity, e.g. “Mid-Autumn gathering at the station”."))
    volunteer = forms.TypedChoiceField(label=_("Caring mother"), coerce=int)
    children = forms.TypedMultipleChoiceField(label=_("Children"), coerce=int, widget=forms.CheckboxSelectMultiple)
    co_volunteers = forms.TypedMultipleChoiceField(label=_("Other volunteers taking part"), coerce=int,
                                                   required=False, widget=forms.CheckboxSelectMultiple)
    follow_up = forms.BooleanField(label=_("Needs follow-up (opens a need for each child)"), required=False)
    # Shown once the service has said a child already has this kind of activity with her that day.
    confirm_repeat = forms.BooleanField(label=_("Record another one anyway"), required=False)

    field_order = ["id", "title", "volunteer", "children", "co_volunteers", "occurred_on", "kind", "services",
                   "duration_minutes", "place", "participants", "aid_value_yuan", "confirm_large_participants",
                   "confirm_large_aid", "notes", "follow_up"]

    def __init__(self, *args, volunteers, children, co_volunteers=(), group: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        self.fields["id"].initial = uuid.uuid4
        self.fields["volunteer"].choices = [("", "---------"), *volunteers] if len(volunteers) != 1 else volunteers
        self.fields["children"].choices = children
        if group:
            self.fields["co_volunteers"].choices = co_volunteers
            self.fields["kind"].initial = ActivityKind.FESTIVAL
            self.fields["volunteer"].label = _("Organising caring mother")
        else:
            for name in ("co_volunteers", "title"):
                del self.fields[name]

    def new_id(self) -> None:
        """After a conflict: offer a fresh id, so a deliberate resubmit records a new activity."""
        data = self.data.copy()
        data["id"] = str(uuid.uuid4())
        self.data = data


class ActivityEditForm(_DetailsFields):
    """Correct an activity (activities.services.EDITABLE_FIELDS)."""

    title = forms.CharField(label=_("Title"), max_length=120, required=False)

    field_order = ["title", "occurred_on", "kind", "services", "duration_minutes", "place", "participants",
                   "aid_value_yuan", "confirm_large_participants", "confirm_large_aid", "notes"]

    def __init__(self, *args, activity, **kwargs):
        initial = {name: getattr(activity, name) for name in self.base_fields if name not in self.CONFIRMATIONS}
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["participants"].required = True
        self.fields["participants"].help_text = ""
        if not activity.is_group:
            del self.fields["title"]
        self.activity = activity

    def changed_values(self) -> dict:
        """The corrected fields whose value differs from the stored one."""
        data = self.cleaned_data
        if data.get("aid_value_yuan") is None:
            data["aid_value_yuan"] = 0
        changed = {}
        for name in self.fields:
            if name in self.CONFIRMATIONS:
                continue
            before, after = getattr(self.activity, name), data[name]
            if name == "services":
                before, after = sorted(before or []), sorted(after or [])
            if before != after:
                changed[name] = data[name]
        return changed


class PhotoForm(forms.Form):
    image = forms.FileField(label=_("Photo"), help_text=_("JPEG, PNG or WebP. Resized; the location in the photo is "
                                                         "removed."),
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
