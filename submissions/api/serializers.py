"""The shapes of /api/v1/submissions/: what a submission reads as, and what each request takes."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core import months
from submissions import services
from submissions.models import Submission, SubmissionStatus, SubmissionStatusChange
from submissions.selectors import NOT_STARTED

# Ids a request may name: a positive 32-bit integer.
ID_MAX = 2**31 - 1
FIGURES_SCHEMA = {
    "type": "object", "additionalProperties": True,
    "description": "The full /api/v1/stats/ payload frozen when the submission was sent ({} before); each "
                   "sub-region row adds source (accepted: the sub-region's accepted submission, whose id is "
                   "submission; live: the ledger's figures at the time)",
}


class SubmissionStatusChangeSerializer(serializers.ModelSerializer):
    from_status = serializers.CharField(read_only=True, help_text="The status before (empty: the draft was started)")
    to_status = serializers.ChoiceField(choices=SubmissionStatus.choices, read_only=True)
    actor_name = serializers.CharField(source="actor.get_full_name", read_only=True)

    class Meta:
        model = SubmissionStatusChange
        fields = ["from_status", "to_status", "actor", "actor_name", "at", "reason"]
        read_only_fields = fields


class SubmissionSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id", read_only=True, help_text="12-digit region code")
    region_name = serializers.CharField(source="region.name", read_only=True)
    month = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    prepared_by_name = serializers.CharField(source="prepared_by.get_full_name", read_only=True)
    reviewed_by_name = serializers.SerializerMethodField()
    figures = serializers.SerializerMethodField()
    history = SubmissionStatusChangeSerializer(source="status_changes", many=True, read_only=True)

    class Meta:
        model = Submission
        fields = ["id", "region", "region_name", "month", "status", "status_label", "work_done", "problems",
                  "next_steps", "prepared_by", "prepared_by_name", "reviewed_by", "reviewed_by_name",
                  "contact_phone", "figures", "submitted_at", "submitted_by", "returned_reason", "returned_at",
                  "returned_by", "accepted_at", "accepted_by", "created_at", "updated_at", "history"]
        read_only_fields = fields

    def get_month(self, submission: Submission) -> str:
        """YYYY-MM"""
        return months.label(submission.month)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_reviewed_by_name(self, submission: Submission) -> str | None:
        return submission.reviewed_by.get_full_name() if submission.reviewed_by_id else None

    @extend_schema_field(FIGURES_SCHEMA)
    def get_figures(self, submission: Submission) -> dict:
        return submission.figures or {}


class SubmissionCreateSerializer(serializers.Serializer):
    region = serializers.CharField(max_length=12, help_text="12-digit region code of the caller's own region "
                                                            "(a city, county or township)")
    month = serializers.CharField(max_length=7, help_text="YYYY-MM, not in the future")


class SubmissionUpdateSerializer(serializers.Serializer):
    work_done = serializers.CharField(required=False, allow_blank=True, max_length=services.TEXT_MAX_CHARS,
                                      help_text="工作开展情况")
    problems = serializers.CharField(required=False, allow_blank=True, max_length=services.TEXT_MAX_CHARS,
                                     help_text="存在问题")
    next_steps = serializers.CharField(required=False, allow_blank=True, max_length=services.TEXT_MAX_CHARS,
                                       help_text="下步打算")
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=20, help_text="联系电话")
    prepared_by = serializers.IntegerField(required=False, min_value=1, max_value=ID_MAX,
                                           help_text="填报人: a user of the submission's region")
    reviewed_by = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=ID_MAX,
                                           help_text="审核人: another user of the submission's region; null clears it")


class SubmissionReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=services.REASON_MAX_CHARS, allow_blank=True,
                                   help_text="Why it is returned (required, not blank)")


class SubmissionProgressRowSerializer(serializers.Serializer):
    region = serializers.CharField(source="region.code")
    region_name = serializers.CharField(source="region.name")
    status = serializers.ChoiceField(choices=[*SubmissionStatus.values, NOT_STARTED])
    submission = serializers.SerializerMethodField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    submitted_by = serializers.SerializerMethodField()
    submitted_by_name = serializers.SerializerMethodField()

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_submission(self, row) -> int | None:
        return row.submission.pk if row.submission is not None else None

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_submitted_by(self, row) -> int | None:
        return row.submitted_by.pk if row.submitted_by is not None else None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_submitted_by_name(self, row) -> str | None:
        return row.submitted_by.get_full_name() if row.submitted_by is not None else None


class SubmissionProgressSerializer(serializers.Serializer):
    region = serializers.CharField()
    region_name = serializers.CharField()
    month = serializers.CharField(help_text="YYYY-MM")
    subregions = SubmissionProgressRowSerializer(many=True)
