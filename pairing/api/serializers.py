"""Shapes of the pairings API's requests and responses.

These serializers check types, required fields and choices only. Every pairing rule (scope, an
active child and volunteer, one lead per child, capacity, helpers beside a lead, dates) lives in
pairing.services, which the views call; nothing here creates or ends a pairing.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from rest_framework import serializers

from children.api.serializers import BlankAsNullChoiceField
from children.names import given_name
from pairing.models import EndReason, Pairing, PairingRole


class PairingSerializer(serializers.ModelSerializer):
    """A bond between a caring mother and a child (结对), as lead or helper. Never deleted: it ends."""

    child = serializers.IntegerField(source="child_id", label=_("child"))
    child_name = serializers.CharField(source="child.name", read_only=True, label=_("child's name"))
    volunteer = serializers.IntegerField(source="volunteer_id", label=_("caring mother"))
    volunteer_name = serializers.CharField(source="volunteer.name", read_only=True, label=_("caring mother's name"))
    role = serializers.ChoiceField(choices=PairingRole.choices, label=_("role"))
    started_on = serializers.DateField(required=False, label=_("started on"), help_text=_("Defaults to today."))
    end_reason = BlankAsNullChoiceField(choices=EndReason.choices, label=_("end reason"))
    active = serializers.BooleanField(source="is_active", read_only=True, label=pgettext_lazy("pairing state", "active"))

    class Meta:
        model = Pairing
        fields = ["id", "child", "child_name", "volunteer", "volunteer_name", "role", "started_on", "ended_on",
                  "end_reason", "end_note", "active", "created_at"]
        read_only_fields = ["id", "ended_on", "end_note", "created_at"]


class VolunteerPairingSerializer(serializers.ModelSerializer):
    """What a caring mother sees of her own (active) pairing: the child by the given name only — no
    surname, no address, no region."""

    child = serializers.IntegerField(source="child_id", read_only=True, label=_("child"))
    child_given_name = serializers.SerializerMethodField(label=_("given name"))
    volunteer = serializers.IntegerField(source="volunteer_id", read_only=True, label=_("caring mother"))
    end_reason = BlankAsNullChoiceField(choices=EndReason.choices, read_only=True, label=_("end reason"))
    active = serializers.BooleanField(source="is_active", read_only=True, label=pgettext_lazy("pairing state", "active"))

    class Meta:
        model = Pairing
        fields = ["id", "child", "child_given_name", "volunteer", "role", "started_on", "ended_on", "end_reason",
                  "active"]
        read_only_fields = fields

    def get_child_given_name(self, pairing: Pairing) -> str:
        return given_name(pairing.child.name)


class PairingEndSerializer(serializers.Serializer):
    ended_on = serializers.DateField(label=_("ended on"))
    end_reason = serializers.ChoiceField(choices=EndReason.choices, label=_("end reason"))
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="", label=_("note"))
    new_lead = serializers.IntegerField(
        required=False, allow_null=True, label=_("new lead caring mother"),
        help_text=_("Required when ending a lead whose child still has helpers: one of the helpers (promoted) "
                    "or another caring mother. She leads from the end date."))


class PairingEndedSerializer(PairingSerializer):
    """The ended pairing, and the new lead's pairing when ``new_lead`` was given."""

    new_lead_pairing = PairingSerializer(read_only=True, allow_null=True, label=_("new lead's pairing"))

    class Meta(PairingSerializer.Meta):
        fields = [*PairingSerializer.Meta.fields, "new_lead_pairing"]
