"""Forms for the volunteer roster's staff pages.

The forms check the shape of the input (dates parse, numbers are numbers, choices exist, a chosen
team or station is one the user can see); every rule about caring mothers, teams, stations,
trainings and recognition lives in volunteers.services, whose ValidationErrors the views attach back
onto these forms' fields (``SERVICE_FIELDS`` maps a service's error key to the field that carried
the input, where they differ).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext_lazy

from accounts.models import Region
from core.regioncodes import LEVELS, is_valid_code, subtree_q
from core.regions import CODE_MESSAGE, region_options
from core.widgets import RegionField, region_filter_widget
from volunteers.models import (
    RecognitionKind,
    Sector,
    Skill,
    Team,
    Volunteer,
    VolunteerStatus,
    WorkStation,
)

# Team and station selects offer at most this many (the user's area, ordered by region).
OPTIONS_LIMIT = 500
EMPTY = ("", "---------")


def date_field(label, *, required: bool = True, initial_today: bool = False, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label, required=required, help_text=help_text,
        initial=timezone.localdate if initial_today else None,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def set_up_region_field(field: RegionField, actor) -> None:
    """Every region the actor may place records in (Region.objects.manageable_by, all levels): a select
    of them (core.regions.region_options) while they fit, else the search picker (core.widgets)."""
    field.offer(Region.objects.manageable_by(actor), options=region_options(actor, depth=len(LEVELS), levels=LEVELS),
                with_province=not actor.region_id)


def _team_label(team: Team) -> str:
    return f"{team.name}（{team.region.name}）"


def team_options(actor) -> list[tuple[int, str]]:
    teams = Team.objects.visible_to(actor).select_related("region").order_by("region_id", "name")[:OPTIONS_LIMIT]
    return [(t.pk, _team_label(t)) for t in teams]


def team_filter_options(actor, selected: str) -> list[tuple[int, str]]:
    """Team options for a filter, keeping a selected team beyond OPTIONS_LIMIT (e.g. from a team-list link)."""
    options = team_options(actor)
    if selected.isdigit() and int(selected) not in {pk for pk, _label in options}:
        team = Team.objects.visible_to(actor).select_related("region").filter(pk=int(selected)).first()
        if team is not None:
            options.append((team.pk, _team_label(team)))
    return options


def station_options(actor) -> list[tuple[int, str]]:
    stations = (WorkStation.objects.visible_to(actor).select_related("region")
                .order_by("region_id", "name")[:OPTIONS_LIMIT])
    return [(s.pk, f"{s.name}（{s.region.name}）") for s in stations]


OUT_OF_AREA = {"invalid_choice": _lazy("Choose one in your area.")}


class VolunteerForm(forms.Form):
    """Register (``volunteer=None``) or edit a caring mother. Registering may also open her login."""

    SERVICE_FIELDS = {"username": "login_username", "password": "login_password"}

    name = forms.CharField(label=_lazy("Name"), max_length=40)
    phone = forms.CharField(label=_lazy("Mobile number"), max_length=20,
                            widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}))
    region = RegionField(label=_lazy("Region"))
    sector = forms.ChoiceField(label=_lazy("Sector"), choices=Sector.choices, initial=Sector.OTHER)
    employer = forms.CharField(label=_lazy("Work unit"), max_length=80, required=False)
    skills = forms.MultipleChoiceField(label=_lazy("Skills"), choices=Skill.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    team = forms.ModelChoiceField(queryset=Team.objects.none(), required=False, label=_lazy("Team"),
                                  error_messages=OUT_OF_AREA)
    station = forms.ModelChoiceField(queryset=WorkStation.objects.none(), required=False,
                                     label=_lazy("Work station"), error_messages=OUT_OF_AREA)
    capacity = forms.IntegerField(label=_lazy("Capacity (children as lead at once)"), initial=3,
                                  widget=forms.NumberInput(attrs={"min": 1, "max": 20, "inputmode": "numeric"}),
                                  help_text=_lazy("How many children she leads at the same time: 1 to 20."))
    joined_on = date_field(_lazy("Joined on"), required=False, initial_today=True)
    notes = forms.CharField(label=_lazy("Notes"), max_length=300, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))
    login_username = forms.CharField(label=_lazy("User name"), max_length=150, required=False,
                                     widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}))
    login_password = forms.CharField(label=_lazy("Password"), required=False, strip=False,
                                     widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, actor, volunteer: Volunteer | None = None, **kwargs):
        self.volunteer = volunteer
        if volunteer is not None:
            kwargs.setdefault("initial", {
                **{f: getattr(volunteer, f) for f in ("name", "phone", "sector", "employer", "capacity", "notes")},
                "region": volunteer.region_id, "skills": volunteer.skills,
                "team": volunteer.team_id, "station": volunteer.station_id,
            })
        super().__init__(*args, **kwargs)
        # Validation reads the whole scoped queryset; the select offers the first OPTIONS_LIMIT of it.
        self.fields["team"].queryset = Team.objects.visible_to(actor)
        self.fields["team"].widget.choices = [EMPTY, *team_options(actor)]
        self.fields["station"].queryset = WorkStation.objects.visible_to(actor)
        self.fields["station"].widget.choices = [EMPTY, *station_options(actor)]
        set_up_region_field(self.fields["region"], actor)
        if volunteer is not None:
            for name in ("joined_on", "login_username", "login_password"):
                del self.fields[name]

    @property
    def creates_login(self) -> bool:
        return "login_username" in self.fields

    def clean(self):
        data = super().clean()
        if self.creates_login:
            username, password = data.get("login_username", "").strip(), data.get("login_password", "")
            if username and not password:
                self.add_error("login_password", _("Enter a password for her login, or leave the user name empty."))
            elif password and not username:
                self.add_error("login_username", _("Enter a user name for her login, or leave the password empty."))
        return data


class PageForm(forms.Form):
    """A form among several on one page: its element ids carry ``id_prefix`` so they stay unique."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


class StatusForm(PageForm):
    """Deactivate (with a reason) or reactivate a caring mother, dated."""

    id_prefix = "status"

    effective_on = date_field(_lazy("Effective on"), initial_today=True)
    reason = forms.CharField(label=_lazy("Reason"), max_length=200, required=False)

    def __init__(self, *args, volunteer: Volunteer, **kwargs):
        super().__init__(*args, **kwargs)
        self.to_status = (VolunteerStatus.INACTIVE if volunteer.status == VolunteerStatus.ACTIVE
                          else VolunteerStatus.ACTIVE)
        if self.to_status == VolunteerStatus.INACTIVE:
            self.fields["reason"].required = True
            self.fields["reason"].help_text = _lazy("Her pairings end on this date; you will see who needs a new lead.")


class LoginForm(PageForm):
    id_prefix = "login"

    username = forms.CharField(label=_lazy("User name"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}))
    password = forms.CharField(label=_lazy("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class ReserveHelperForm(PageForm):
    id_prefix = "helper"

    name = forms.CharField(label=_lazy("Name"), max_length=40)
    phone = forms.CharField(label=_lazy("Mobile number"), max_length=20, required=False,
                            widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}))
    specialty = forms.CharField(label=_lazy("Specialty"), max_length=60, required=False)
    added_on = date_field(_lazy("Added on"), required=False, initial_today=True)


class HelperRemoveForm(PageForm):
    id_prefix = "helper-remove"

    removed_on = date_field(_lazy("Removed on"), required=False, initial_today=True)


class RecognitionForm(PageForm):
    id_prefix = "recognition"

    kind = forms.ChoiceField(label=_lazy("Kind"), choices=RecognitionKind.choices)
    title = forms.CharField(label=_lazy("What she received"), max_length=120)
    awarded_on = date_field(_lazy("Date"), initial_today=True)
    reason = forms.CharField(label=_lazy("Reason"), max_length=300, required=False)


class TeamForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=80)
    region = RegionField(label=_lazy("Region"))
    created_on = date_field(_lazy("Founded on"), required=False)
    notes = forms.CharField(label=_lazy("Notes"), max_length=300, required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        set_up_region_field(self.fields["region"], actor)


class StationForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("thing", "Name"), max_length=80)
    region = RegionField(label=_lazy("Region"))
    address = forms.CharField(label=pgettext_lazy("work station", "Address"), max_length=200, required=False)
    opened_on = date_field(pgettext_lazy("work station", "Opened on"), required=False)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        set_up_region_field(self.fields["region"], actor)


class IdListField(forms.Field):
    """A list of record ids from checkboxes; which of them the user may use is the service's to judge."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value) -> list[int]:
        try:
            return sorted({int(v) for v in value or []})
        except (TypeError, ValueError):
            raise ValidationError(_("Choose from the list."), code="invalid") from None


class TrainingForm(forms.Form):
    title = forms.CharField(label=_lazy("Title"), max_length=120)
    held_on = date_field(_lazy("Held on"), initial_today=True)
    region = RegionField(label=_lazy("Region"))
    topic = forms.CharField(label=_lazy("Topic"), max_length=120, required=False)
    organiser = forms.CharField(label=_lazy("Organiser"), max_length=80, required=False)
    attendees = IdListField(label=_lazy("Caring mothers who attended"), required=False)
    participants = forms.IntegerField(
        label=_lazy("Participants (人次)"), required=False, min_value=0,
        widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
        help_text=_lazy("Everyone who took part, including people not on the roster. Leave empty to count the "
                        "caring mothers ticked above."))

    def __init__(self, *args, actor, candidates: list[Volunteer], **kwargs):
        super().__init__(*args, **kwargs)
        set_up_region_field(self.fields["region"], actor)
        self.fields["attendees"].widget.choices = [
            (v.pk, f"{v.name}（{v.team.name if v.team_id else v.region.name}）") for v in candidates]


class AttendeePickerForm(forms.Form):
    """Narrows the attendee checkboxes of the training form (GET)."""

    pick_region = forms.CharField(label=_lazy("Caring mothers of region"), required=False)
    pick_team = forms.TypedChoiceField(label=_lazy("Team"), required=False, coerce=int, empty_value=None)
    pick_name = forms.CharField(label=_lazy("Name"), required=False, max_length=40)

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        selected = (self.data.get("pick_region") or "").strip()
        self.fields["pick_region"].widget = region_filter_widget(region_options(actor, selected=selected),
                                                                 empty_label=_("All of my area"),
                                                                 with_province=not actor.region_id)
        selected_team = str(self.data.get("pick_team") or "")
        self.fields["pick_team"].choices = [("", _("All teams")), *team_filter_options(actor, selected_team)]

    def filter(self, queryset):
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data["pick_region"] and is_valid_code(data["pick_region"].strip()):
            queryset = queryset.filter(subtree_q("region", data["pick_region"].strip()))
        if data["pick_team"]:
            queryset = queryset.filter(team_id=data["pick_team"])
        if data["pick_name"].strip():
            queryset = queryset.filter(name__contains=data["pick_name"].strip())
        return queryset


class RosterFilterForm(forms.Form):
    """The roster's filters (GET): region subtree, team, sector, skill, status, free capacity, search."""

    region = forms.CharField(label=_lazy("Region"), required=False)
    team = forms.TypedChoiceField(label=_lazy("Team"), required=False, coerce=int, empty_value=None)
    sector = forms.ChoiceField(label=_lazy("Sector"), required=False, choices=[("", _lazy("All")), *Sector.choices])
    skill = forms.ChoiceField(label=_lazy("Skill"), required=False, choices=[("", _lazy("All")), *Skill.choices])
    status = forms.ChoiceField(label=_lazy("Status"), required=False,
                               choices=[("", _lazy("All")), *VolunteerStatus.choices])
    free = forms.ChoiceField(label=_lazy("Free capacity"), required=False,
                             choices=[("", _lazy("All")), ("yes", _lazy("Can take a child")),
                                      ("no", _lazy("Full"))])
    search = forms.CharField(label=_lazy("Search"), required=False, max_length=40, widget=forms.TextInput(
        attrs={"type": "search", "placeholder": _lazy("name, work unit or phone digits")}))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        selected = (self.data.get("region") or "").strip()
        self.fields["region"].widget = region_filter_widget(region_options(actor, selected=selected),
                                                            empty_label=_("All of my area"),
                                                            with_province=not actor.region_id)
        selected_team = str(self.data.get("team") or "")
        self.fields["team"].choices = [("", _("All teams")), *team_filter_options(actor, selected_team)]

    def clean_region(self) -> str:
        code = self.cleaned_data["region"].strip()
        if code and not is_valid_code(code):
            raise ValidationError(CODE_MESSAGE)
        return code

    def filter(self, queryset):
        """``queryset`` must carry ``with_load()`` for the free-capacity filter."""
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        if data["region"]:
            queryset = queryset.filter(subtree_q("region", data["region"]))
        if data["team"]:
            queryset = queryset.filter(team_id=data["team"])
        if data["sector"]:
            queryset = queryset.filter(sector=data["sector"])
        if data["skill"]:
            queryset = queryset.filter(**{f"skill_{data['skill']}": True})
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["free"] == "yes":
            queryset = queryset.filter(status=VolunteerStatus.ACTIVE, active_leads__lt=F("capacity"))
        elif data["free"] == "no":
            queryset = queryset.filter(active_leads__gte=F("capacity"))
        search = data["search"].strip()
        if search.isdigit():
            queryset = queryset.filter(phone__contains=search)
        elif search:
            queryset = queryset.filter(Q(name__contains=search) | Q(employer__contains=search))
        return queryset
