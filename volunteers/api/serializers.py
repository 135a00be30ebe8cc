"""Shapes of the roster API's requests and responses (teams, caring mothers, reserve helpers,
recognition, trainings).

These serializers check types, required fields and choices only. Every rule (mobile numbers,
capacity, dates, scope of regions, teams and attendees, status changes) lives in
volunteers.services, which the views call; nothing here creates or updates a row.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.phone import mask_mobile
from volunteers import phones
from volunteers.models import (
    Recognition,
    RecognitionKind,
    ReserveHelper,
    Sector,
    Skill,
    Team,
    Training,
    Volunteer,
    VolunteerStatus,
)


def phones_shown(context: dict, volunteer: Volunteer) -> bool:
    """Editors see the full mobile numbers of a caring mother and her helpers, and so does she herself;
    read-only roles see them masked (as on the roster pages: volunteers.phones)."""
    return phones.phones_shown(getattr(context.get("request"), "user", None), volunteer)


class TeamSerializer(serializers.ModelSerializer):
    """A volunteer team (志愿服务队) of a region."""

    region = serializers.CharField(source="region_id", max_length=12, label=_("region code"))
    region_name = serializers.CharField(source="region.name", read_only=True, label=_("region"))

    class Meta:
        model = Team
        fields = ["id", "name", "region", "region_name", "created_on", "notes"]
        read_only_fields = ["id"]


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150, label=_("user name"))
    password = serializers.CharField(write_only=True, label=_("password"), style={"input_type": "password"},
                                     trim_whitespace=False)


class VolunteerSerializer(serializers.ModelSerializer):
    """A caring mother (爱心妈妈) on the roster. ``status`` changes only through …/deactivate/ and
    …/reactivate/; ``active_leads`` is the number of children she leads now."""

    phone = serializers.CharField(max_length=20, label=_("mobile number"),
                                  help_text=_("Read-only roles see it masked."))
    region = serializers.CharField(source="region_id", max_length=12, label=_("region code"))
    region_name = serializers.CharField(source="region.name", read_only=True, label=_("region"))
    team = serializers.IntegerField(source="team_id", required=False, allow_null=True, label=_("team"))
    team_name = serializers.CharField(source="team.name", read_only=True, allow_null=True, label=_("team name"))
    station = serializers.IntegerField(source="station_id", read_only=True, allow_null=True,
                                       label=_("work station"))
    sector = serializers.ChoiceField(choices=Sector.choices, required=False, label=_("sector"))
    skills = serializers.ListField(child=serializers.ChoiceField(choices=Skill.choices), required=False,
                                   label=_("skills"))
    capacity = serializers.IntegerField(required=False, label=_("capacity (children as lead)"),
                                        help_text=_("How many children she leads at once (1 to 20; default 3)."))
    status = serializers.ChoiceField(choices=VolunteerStatus.choices, read_only=True, label=_("status"))
    joined_on = serializers.DateField(required=False, label=_("joined on"), help_text=_("Defaults to today."))
    active_leads = serializers.IntegerField(read_only=True, label=_("children led now"))
    user = serializers.IntegerField(source="user_id", read_only=True, allow_null=True, label=_("login"))
    login = LoginSerializer(write_only=True, required=False, label=_("login"),
                            help_text=_("Open her volunteer login in the same step."))

    class Meta:
        model = Volunteer
        fields = [
            "id", "name", "phone", "region", "region_name", "team", "team_name", "station", "sector", "skills",
            "employer", "capacity", "status", "joined_on", "left_on", "active_leads", "user", "notes", "login",
            "created_at", "updated_at",
        ]
        read_only_fields = ["id", "left_on", "created_at", "updated_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not phones_shown(self.context, instance):
            data["phone"] = mask_mobile(data["phone"])
        return data


class VolunteerUpdateSerializer(VolunteerSerializer):
    """PUT/PATCH: the join date and the login are set once; the status changes only through the actions."""

    joined_on = serializers.DateField(read_only=True, label=_("joined on"))

    class Meta(VolunteerSerializer.Meta):
        fields = [f for f in VolunteerSerializer.Meta.fields if f != "login"]

    def validate(self, attrs):
        # Read-only fields are normally ignored; a client sending another status surely meant to
        # deactivate or reactivate her, so say where that is done instead of ignoring it.
        volunteer, data = self.instance, self.initial_data
        if volunteer is not None and "status" in data and data["status"] != volunteer.status:
            raise serializers.ValidationError(
                {"status": _("Change the status with POST …/deactivate/ or …/reactivate/.")})
        return attrs


class DeactivateSerializer(serializers.Serializer):
    effective_on = serializers.DateField(label=_("effective on"))
    reason = serializers.CharField(max_length=200, label=_("reason"), help_text=_("Why she stops."))


class ReactivateSerializer(serializers.Serializer):
    effective_on = serializers.DateField(label=_("effective on"))
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="",
                                   label=_("reason"))


class DeactivatedVolunteerSerializer(VolunteerSerializer):
    """The volunteer after deactivation, with the children she led who now need a new lead."""

    children_needing_lead = serializers.SerializerMethodField(label=_("children needing a new lead"))

    class Meta(VolunteerSerializer.Meta):
        fields = [*VolunteerSerializer.Meta.fields, "children_needing_lead"]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_children_needing_lead(self, volunteer: Volunteer) -> list[int]:
        """From the context: the children the deactivation left without a lead (their ids)."""
        return [child.pk for child in self.context.get("children_needing_lead", ())]


class ReserveHelperSerializer(serializers.ModelSerializer):
    """A skilled reserve helper (预备志愿者) attached to a caring mother."""

    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="",
                                  label=_("mobile number"))
    specialty = serializers.CharField(max_length=60, required=False, allow_blank=True, default="",
                                      label=_("specialty"))
    added_on = serializers.DateField(required=False, label=_("added on"), help_text=_("Defaults to today."))

    class Meta:
        model = ReserveHelper
        fields = ["id", "volunteer", "name", "phone", "specialty", "added_on", "removed_on"]
        read_only_fields = ["id", "volunteer", "removed_on"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        volunteer = self.context.get("volunteer")
        if volunteer is not None and not phones_shown(self.context, volunteer):
            data["phone"] = mask_mobile(data["phone"])
        return data


class ReserveHelperRemoveSerializer(serializers.Serializer):
    removed_on = serializers.DateField(required=False, label=_("removed on"), help_text=_("Defaults to today."))


class RecognitionSerializer(serializers.ModelSerializer):
    """Recognition of a caring mother (礼遇回馈): an award or a gift pack, dated, with a reason."""

    kind = serializers.ChoiceField(choices=RecognitionKind.choices, label=_("kind"))
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="",
                                   label=_("reason"))

    class Meta:
        model = Recognition
        fields = ["id", "volunteer", "kind", "title", "awarded_on", "reason"]
        read_only_fields = ["id", "volunteer"]


class AttendeesField(serializers.ListField):
    """The roster volunteers who attended, as ids (read from the prefetched ``attendees``)."""

    child = serializers.IntegerField()

    def to_representation(self, data):
        return [volunteer.pk for volunteer in data.all()]


class TrainingSerializer(serializers.ModelSerializer):
    """A training session (赋能培训) with its roster attendees and its total participants (人次)."""

    region = serializers.CharField(source="region_id", max_length=12, label=_("region code"))
    region_name = serializers.CharField(source="region.name", read_only=True, label=_("region"))
    attendees = AttendeesField(required=False, label=_("attendees (volunteer ids)"))
    # At most what the column holds (PositiveIntegerField): a larger number is a 400, not a database error.
    participants = serializers.IntegerField(required=False, min_value=0, max_value=2_147_483_647,
                                            label=_("participants (人次)"),
                                            help_text=_("Everyone who took part; defaults to the attendees."))
    topic = serializers.CharField(max_length=120, required=False, allow_blank=True, default="", label=_("topic"))
    organiser = serializers.CharField(max_length=80, required=False, allow_blank=True, default="",
                                      label=_("organiser"))

    class Meta:
        model = Training
        fields = ["id", "title", "held_on", "region", "region_name", "topic", "organiser", "attendees",
                  "participants"]
        read_only_fields = ["id"]

