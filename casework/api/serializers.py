"""The shapes of /api/v1/case-plans/ and /api/v1/referrals/, and what each request takes."""

from rest_framework import serializers

from casework import services
from casework.models import (
    ActionStatus,
    CaseAction,
    CasePlan,
    Department,
    PlanStatus,
    Referral,
    ReferralStatus,
)

# Ids a request may name: a positive 32-bit integer.
ID_MAX = 2**31 - 1


class CaseActionSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=ActionStatus.choices, read_only=True)

    class Meta:
        model = CaseAction
        fields = ["id", "description", "owner", "due_on", "status", "done_on"]
        read_only_fields = fields


class CasePlanSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=PlanStatus.choices, read_only=True)
    actions = CaseActionSerializer(many=True, read_only=True)

    class Meta:
        model = CasePlan
        fields = ["id", "child", "goals", "review_on", "status", "actions"]
        read_only_fields = fields


class CasePlanCreateSerializer(serializers.Serializer):
    child = serializers.IntegerField(min_value=1, max_value=ID_MAX, help_text="A red or yellow child in the caller's area")
    goals = serializers.CharField(max_length=services.GOALS_MAX_CHARS, allow_blank=True)
    review_on = serializers.DateField(help_text="Not in the past")


class CasePlanUpdateSerializer(serializers.Serializer):
    goals = serializers.CharField(required=False, max_length=services.GOALS_MAX_CHARS, allow_blank=True)
    review_on = serializers.DateField(required=False)


class CaseActionCreateSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=300, allow_blank=True)
    owner = serializers.IntegerField(min_value=1, max_value=ID_MAX,
                                     help_text="A staff user of the child's area or the child's lead caring mother")
    due_on = serializers.DateField()


class CaseActionUpdateSerializer(serializers.Serializer):
    description = serializers.CharField(required=False, max_length=300, allow_blank=True)
    owner = serializers.IntegerField(required=False, min_value=1, max_value=ID_MAX)
    due_on = serializers.DateField(required=False)


class CaseActionCompleteSerializer(serializers.Serializer):
    done_on = serializers.DateField(required=False, help_text="Defaults to today; not in the future")


class ReferralSerializer(serializers.ModelSerializer):
    department = serializers.ChoiceField(choices=Department.choices, read_only=True)
    status = serializers.ChoiceField(choices=ReferralStatus.choices, read_only=True)

    class Meta:
        model = Referral
        fields = ["id", "child", "department", "organisation", "reason", "status", "outcome", "referred_on",
                  "accepted_on", "declined_on", "completed_on", "consent_override_reason"]
        read_only_fields = fields


class ReferralCreateSerializer(serializers.Serializer):
    child = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    department = serializers.ChoiceField(choices=Department.choices)
    organisation = serializers.CharField(max_length=120, allow_blank=True)
    reason = serializers.CharField(max_length=services.TEXT_MAX_CHARS, allow_blank=True)
    consent_override_reason = serializers.CharField(
        required=False, default="", allow_blank=True, max_length=services.TEXT_MAX_CHARS,
        help_text="Required when no guardian's consent is on record for the child (audited)")
    referred_on = serializers.DateField(required=False, help_text="Defaults to today; not in the future")


class ReferralTransitionSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="Defaults to today; not in the future")


class ReferralCompleteSerializer(ReferralTransitionSerializer):
    outcome = serializers.CharField(max_length=services.TEXT_MAX_CHARS, allow_blank=True)
