"""Shapes of the children API's requests and responses.

These serializers check types, required fields and choices only. Every rule about children (the ID
number's checksum and agreement with the record, uniqueness, dates, transitions, scope) lives in
children.services, which the views call; nothing here creates or updates a row.
"""

from collections.abc import Mapping

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from children.models import (
    Category,
    Child,
    DifficultyType,
    ExitReason,
    Gender,
    Household,
    Need,
    NeedKind,
    NeedStatus,
    RiskAssessment,
    RiskColor,
    RiskFactor,
    StatusChange,
    Transfer,
)
from children.names import given_name
from children.transfers import child_summary


class BlankAsNullChoiceField(serializers.ChoiceField):
    """A read-only choice stored as "" for "none": shown as null (e.g. a child not yet assessed)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return None if value in ("", None) else super().to_representation(value)


class GuardianSerializer(serializers.Serializer):
    """One guardian. The guardians are always sent and replaced as a whole list, so a guardian's
    required fields are required in a PATCH too: DRF skips every missing field of the whole tree in a
    partial update, nested ones included, which let ``{"guardians": [{"name": …}]}`` through."""

    name = serializers.CharField(max_length=40, label=_("guardian's name"))
    relation = serializers.CharField(max_length=20, label=_("relation"))
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="",
                                  label=_("guardian's phone"))

    def to_internal_value(self, data):
        try:
            value = super().to_internal_value(data)
            errors = {}
        except serializers.ValidationError as exc:
            if not isinstance(exc.detail, dict) or not isinstance(data, Mapping):
                raise
            value, errors = None, dict(exc.detail)
        for name, field in self.fields.items():
            if field.required and name not in data:
                errors[name] = [_("%(field)s is required for every guardian.") % {"field": field.label}]
        if errors:
            raise serializers.ValidationError(errors)
        return {"phone": "", **value}


class ChildSerializer(serializers.ModelSerializer):
    """A child in the ledger. ``id_number`` is write-only; responses carry ``id_number_masked``."""

    id_number = serializers.CharField(write_only=True, max_length=64, label=_("ID number (身份证号)"),
                                      style={"input_type": "password"})
    id_number_masked = serializers.CharField(read_only=True, label=_("ID number (masked)"))
    gender = serializers.ChoiceField(choices=Gender.choices, label=_("gender"))
    region = serializers.CharField(source="region_id", max_length=12, label=_("region code"))
    region_name = serializers.CharField(source="region.name", read_only=True, label=_("region"))
    categories = serializers.ListField(child=serializers.ChoiceField(choices=Category.choices),
                                       label=_("categories"))
    difficulty_types = serializers.ListField(child=serializers.ChoiceField(choices=DifficultyType.choices),
                                             required=False, label=_("kinds of difficulty"))
    guardians = GuardianSerializer(many=True, required=False, label=_("guardians"))
    household = serializers.ChoiceField(choices=Household.choices, required=False, label=_("household registration"))
    entered_on = serializers.DateField(required=False, label=_("entered the programme on"),
                                       help_text=_("Defaults to today."))
    # The labels the pages show (the models' TextChoices, docs/glossary.md), in the caller's language.
    status_display = serializers.CharField(source="get_status_display", read_only=True, label=_("status, as shown"))
    risk_color_display = serializers.SerializerMethodField(label=_("risk colour, as shown"))
    categories_display = serializers.SerializerMethodField(label=_("categories, as shown"))
    risk_color = BlankAsNullChoiceField(choices=RiskColor.choices, label=_("risk colour"))
    exit_reason = BlankAsNullChoiceField(choices=ExitReason.choices, label=_("exit reason"))
    anonymised = serializers.BooleanField(read_only=True, label=_("anonymised"),
                                          help_text=_("The personal data was removed after the retention period."))

    class Meta:
        model = Child
        fields = [
            "id", "name", "gender", "birth_date", "id_number", "id_number_masked", "region", "region_name",
            "categories", "difficulty_types", "status", "risk_color", "next_review_on", "guardians", "school",
            "grade", "address", "household", "parents_work_place", "notes", "entered_on", "exited_on",
            "exit_reason", "ages_out_on", "created_at", "updated_at",
            "status_display", "risk_color_display", "categories_display", "anonymised",
        ]
        read_only_fields = ["id", "status", "next_review_on", "exited_on", "ages_out_on", "created_at",
                            "updated_at"]

    def get_risk_color_display(self, child: Child) -> str | None:
        return str(RiskColor(child.risk_color).label) if child.risk_color else None

    def get_categories_display(self, child: Child) -> list[str]:
        return [str(Category(value).label) for value in child.categories or [] if value in Category.values]


class VolunteerChildSerializer(serializers.ModelSerializer):
    """What a caring mother sees of a child she is paired with: no ID number (not even masked), no
    surname, no address."""

    given_name = serializers.SerializerMethodField(label=_("given name"))
    age = serializers.SerializerMethodField(label=_("age"))
    guardians = GuardianSerializer(many=True, read_only=True, label=_("guardians"))
    risk_color = BlankAsNullChoiceField(choices=RiskColor.choices, read_only=True, label=_("risk colour"))

    class Meta:
        model = Child
        fields = ["id", "given_name", "gender", "age", "school", "grade", "risk_color", "status", "guardians"]
        read_only_fields = fields

    def get_given_name(self, child: Child) -> str:
        return given_name(child.name)

    def get_age(self, child: Child) -> int:
        return child.age_on(timezone.localdate())


class ChildUpdateSerializer(ChildSerializer):
    """PUT/PATCH: the ID number is an optional correction; the region changes only by a transfer and
    the status only through the actions, so both are read-only here."""

    id_number = serializers.CharField(write_only=True, max_length=64, required=False,
                                      label=_("ID number (身份证号)"), style={"input_type": "password"},
                                      help_text=_("Send only to correct the number."))
    region = serializers.CharField(source="region_id", read_only=True, label=_("region code"),
                                   help_text=_("Move a child with POST …/transfer/."))

    class Meta(ChildSerializer.Meta):
        read_only_fields = [*ChildSerializer.Meta.read_only_fields, "entered_on"]

    def validate(self, attrs):
        # Read-only fields are normally ignored; a client that sends a different region or status
        # surely meant to move or exit the child, so say where that is done instead of ignoring it.
        child, data = self.instance, self.initial_data
        errors = {}
        if child is not None and "region" in data and data["region"] != child.region_id:
            errors["region"] = _("Move a child to another region with POST …/transfer/.")
        if child is not None and "status" in data and data["status"] != child.status:
            errors["status"] = _("Change the status with POST …/exit/, …/suspend/ or …/resume/.")
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class StatusChangeSerializer(serializers.ModelSerializer):
    """One row of a child's dynamic history: a status change, or a transfer between regions."""

    from_status = BlankAsNullChoiceField(choices=StatusChange._meta.get_field("to_status").choices,
                                         label=_("from"))
    reason = BlankAsNullChoiceField(choices=ExitReason.choices, label=_("reason"))
    from_region = serializers.CharField(source="from_region_id", read_only=True, allow_null=True)
    to_region = serializers.CharField(source="to_region_id", read_only=True, allow_null=True)
    actor_name = serializers.SerializerMethodField(label=_("by"))

    class Meta:
        model = StatusChange
        fields = ["id", "child", "from_status", "to_status", "reason", "note", "effective_on", "from_region",
                  "to_region", "is_transfer", "actor", "actor_name", "recorded_at"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor_name(self, change: StatusChange) -> str | None:
        if change.actor is None:
            return None  # the system (the daily aging-out task)
        return change.actor.name or change.actor.username


class AssessmentSerializer(serializers.ModelSerializer):
    """A three-colour risk card (三色卡). ``next_review_on`` defaults by colour (configurable)."""

    color = serializers.ChoiceField(choices=RiskColor.choices, label=_("colour"))
    reasons = serializers.ListField(child=serializers.ChoiceField(choices=RiskFactor.choices), required=False,
                                    label=_("risk factors"))
    note = serializers.CharField(required=False, allow_blank=True, default="", label=_("explanation"))
    next_review_on = serializers.DateField(required=False, allow_null=True, label=_("next review on"))
    assessor_name = serializers.SerializerMethodField(label=_("assessor"))

    class Meta:
        model = RiskAssessment
        fields = ["id", "child", "color", "reasons", "note", "assessed_on", "next_review_on", "assessor",
                  "assessor_name", "recorded_at"]
        read_only_fields = ["id", "child", "assessor", "recorded_at"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_assessor_name(self, assessment: RiskAssessment) -> str | None:
        if assessment.assessor is None:
            return None
        return assessment.assessor.name or assessment.assessor.username


class ExitSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ExitReason.choices, label=_("exit reason"))
    exited_on = serializers.DateField(label=_("exited on"))
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300, label=_("note"))


class StatusActionSerializer(serializers.Serializer):
    effective_on = serializers.DateField(label=_("effective on"))
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300, label=_("note"))


class TransferRequestSerializer(serializers.Serializer):
    """A transfer request (children.transfers.transfer_request). ``region`` and ``note`` are the older
    names of ``to_region`` and ``reason``, still accepted."""

    to_region = serializers.CharField(max_length=12, required=False, label=_("region code"),
                                      help_text=_("The county, township or village the child moves to."))
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="",
                                   label=_("reason"), help_text=_("Why the child moves; the receiving region reads it."))
    effective_on = serializers.DateField(required=False, allow_null=True, default=None, label=_("effective on"),
                                         help_text=_("The day the child moved (default: today)."))
    region = serializers.CharField(max_length=12, required=False, write_only=True, label=_("region code"),
                                   help_text=_("Older name of to_region."))
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, write_only=True,
                                 label=_("note"), help_text=_("Older name of reason."))

    def validate(self, data: dict) -> dict:
        field = "to_region" if data.get("to_region") or not data.get("region") else "region"
        code = data.get("to_region") or data.get("region") or ""
        if not code:
            raise serializers.ValidationError({"to_region": _("Choose the county, township or village the child moves to.")})
        return {"to_region": code, "field": field, "reason": data.get("reason") or data.get("note") or "",
                "effective_on": data.get("effective_on")}


class TransferRejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="",
                                   label=_("reason"), help_text=_("Why the receiving region refuses the child (required)."))


class TransferChildSummarySerializer(serializers.Serializer):
    """What the receiving side may know of the child before accepting her (never the record)."""

    name = serializers.CharField(read_only=True)
    age = serializers.IntegerField(read_only=True)
    categories = serializers.ListField(child=serializers.ChoiceField(choices=Category.choices), read_only=True)
    id_number_masked = serializers.CharField(read_only=True)


class TransferSerializer(serializers.ModelSerializer):
    """A two-sided transfer: pending until the receiving region accepts (the child moves) or rejects it,
    or the sending region cancels it."""

    from_region = serializers.CharField(source="from_region_id", read_only=True)
    from_region_name = serializers.CharField(source="from_region.name", read_only=True)
    to_region = serializers.CharField(source="to_region_id", read_only=True)
    to_region_name = serializers.CharField(source="to_region.name", read_only=True)
    child_summary = serializers.SerializerMethodField(label=_("child"))

    class Meta:
        model = Transfer
        fields = ["id", "child", "child_summary", "from_region", "from_region_name", "to_region", "to_region_name",
                  "status", "reason", "effective_on", "requested_by", "requested_at", "decided_by", "decided_at",
                  "decision_reason"]
        read_only_fields = fields

    @extend_schema_field(TransferChildSummarySerializer)
    def get_child_summary(self, transfer: Transfer) -> dict:
        summary = child_summary(transfer.child)
        return {"name": summary.name, "age": summary.age, "categories": summary.categories,
                "id_number_masked": summary.id_number_masked}


class RevealSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300, label=_("reason"),
                                   help_text=_("Why the full number is needed; recorded in the audit log."))


class RevealedIdNumberSerializer(serializers.Serializer):
    id_number = serializers.CharField(read_only=True)


class NeedSerializer(serializers.ModelSerializer):
    """A child's need or small wish (急难愁盼 / 微心愿): open → claimed → fulfilled (or cancelled)."""

    kind = serializers.ChoiceField(choices=NeedKind.choices, label=_("kind"))
    child_name = serializers.CharField(source="child.name", read_only=True, label=_("child"))
    region = serializers.CharField(source="region_id", read_only=True, label=_("region code"))
    value_yuan = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, allow_null=True,
                                         label=_("value (yuan)"))
    opened_on = serializers.DateField(required=False, label=_("opened on"), help_text=_("Defaults to today."))

    class Meta:
        model = Need
        fields = ["id", "child", "child_name", "region", "kind", "description", "status", "value_yuan",
                  "opened_on", "claimed_on", "claimed_by_name", "fulfilled_on", "closed_note", "created_at",
                  "updated_at"]
        read_only_fields = ["id", "child", "status", "claimed_on", "claimed_by_name", "fulfilled_on",
                            "closed_note", "created_at", "updated_at"]


class NeedTransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=NeedStatus.choices, label=_("new status"))
    on = serializers.DateField(required=False, label=_("date"), help_text=_("Defaults to today."))
    claimed_by_name = serializers.CharField(required=False, allow_blank=True, default="", max_length=80,
                                            label=_("claimed by"),
                                            help_text=_("Required when claiming: a volunteer or an organisation."))
    value_yuan = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, allow_null=True,
                                          label=_("value (yuan)"))
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300, label=_("note"))
