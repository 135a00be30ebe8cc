"""Shapes of the pairings API's requests and responses.

These serializers check types, required fields and choices only. Every pairing rule (scope, an
active child and volunteer, one lead per child, capacity, helpers beside a lead, dates) lives in
pairing.services, which the views call; nothing here creates or ends a pairing.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from children.api.serializers import BlankAsNullChoiceField
from children.names import given_name
from pairing.commitments import STATE_LABELS, commitments_for
from pairing.models import CommitmentKind, EndReason, Pairing, PairingRole


class CommitmentItemSerializer(serializers.Serializer):
    """One commitment of the year and how far it is (pairing.commitments)."""

    kind = serializers.ChoiceField(choices=CommitmentKind.choices, label=_("commitment"))
    key = serializers.CharField(label=_("key"), help_text=_("“birthday”, an occasion's day as MMDD, else the kind."))
    label = serializers.CharField(label=_("label"))
    done = serializers.IntegerField(label=_("done"))
    target = serializers.IntegerField(label=_("target"))
    state = serializers.ChoiceField(choices=list(STATE_LABELS.items()), label=_("state"))
    on = serializers.DateField(allow_null=True, label=_("date"), help_text=_("A dated commitment's day this year."))


class CommitmentsSerializer(serializers.Serializer):
    """The pairing's commitments in the calendar year of today, computed from the records."""

    year = serializers.IntegerField(label=_("year"))
    met = serializers.IntegerField(label=_("done"))
    total = serializers.IntegerField(label=_("total"))
    items = CommitmentItemSerializer(many=True, label=_("commitments"))


class PairingListSerializer(serializers.ListSerializer):
    """Computes the commitments of a whole page at once (pairing.commitments: a fixed number of queries)."""

    def to_representation(self, data):
        pairings = list(data.all() if hasattr(data, "all") else data)
        self.context["commitments"] = commitments_for(pairings, today=timezone.localdate())
        return super().to_representation(pairings)


class CommitmentsMixin(serializers.Serializer):
    commitments = serializers.SerializerMethodField(label=_("yearly commitments"))

    @extend_schema_field(CommitmentsSerializer(allow_null=True))
    def get_commitments(self, pairing: Pairing) -> dict | None:
        known = self.context.get("commitments")  # a list's page, computed at once (PairingListSerializer)
        if known is None:  # one pairing (retrieve, create, end)
            known = commitments_for([pairing], today=timezone.localdate())
        progress = known.get(pairing.pk)
        return progress.as_dict() if progress else None


class PairingSerializer(CommitmentsMixin, serializers.ModelSerializer):
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
                  "end_reason", "end_note", "active", "created_at", "commitments"]
        read_only_fields = ["id", "ended_on", "end_note", "created_at"]
        list_serializer_class = PairingListSerializer


class VolunteerPairingSerializer(CommitmentsMixin, serializers.ModelSerializer):
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
                  "active", "commitments"]
        read_only_fields = fields
        list_serializer_class = PairingListSerializer

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
