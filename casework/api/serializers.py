"""The shapes of /api/v1/case-plans/ and /api/v1/referrals/, and what each request takes."""

from rest_framework import serializers

from casework import consents, services
from casework.models import (
    ActionStatus,
    CaseAction,
    CasePlan,
    ConsentMethod,
    ConsentScope,
    Department,
    GuardianConsent,
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


class ConsentSerializer(serializers.ModelSerializer):
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=ConsentScope.choices), read_only=True)
    method = serializers.ChoiceField(choices=ConsentMethod.choices, read_only=True)
    document = serializers.SerializerMethodField(help_text="The scanned paper's download address (signed consents)")

    class Meta:
        model = GuardianConsent
        fields = ["id", "child", "given_by", "relation", "given_on", "scopes", "method", "witness", "document", "note",
                  "withdrawn_on", "recorded_at"]
        read_only_fields = fields

    def get_document(self, consent) -> str | None:
        if not consent.document:
            return None
        return f"/api/v1/children/{consent.child_id}/consents/{consent.pk}/document/"


class ConsentCreateSerializer(serializers.Serializer):
    given_by = serializers.CharField(max_length=consents.NAME_MAX_CHARS, allow_blank=True)
    relation = serializers.CharField(max_length=consents.RELATION_MAX_CHARS, allow_blank=True)
    given_on = serializers.DateField(help_text="Not in the future")
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=ConsentScope.choices), allow_empty=True,
                                   max_length=len(ConsentScope.values))
    method = serializers.ChoiceField(choices=ConsentMethod.choices)
    witness = serializers.CharField(max_length=consents.NAME_MAX_CHARS, required=False, default="", allow_blank=True,
                                    help_text="Required for a verbal consent")
    document = serializers.FileField(required=False, allow_null=True,
                                     help_text="The scan of a signed consent (PDF, JPEG or PNG; multipart)")
    note = serializers.CharField(max_length=consents.NOTE_MAX_CHARS, required=False, default="", allow_blank=True)


class ConsentWithdrawSerializer(serializers.Serializer):
    withdrawn_on = serializers.DateField(required=False, help_text="Defaults to today; not before it was given")
    note = serializers.CharField(max_length=consents.NOTE_MAX_CHARS, required=False, default="", allow_blank=True)
