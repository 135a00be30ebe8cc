"""The shapes of /api/v1/alerts/ and /api/v1/notifications/."""

from rest_framework import serializers

from activities.models import Notification
from alerts.models import DESCRIPTION_MAX_CHARS, OUTCOME_MAX_CHARS, Alert, AlertKind, AlertStatus
from core.api_fields import StrictUUIDField

# Ids a request may name: a positive 32-bit integer.
ID_MAX = 2**31 - 1


class AlertSerializer(serializers.ModelSerializer):
    """An alert as everyone in scope reads it: ids only (no child's name), so a caring mother's shape is
    the same as staff's."""

    child = serializers.IntegerField(source="child_id", read_only=True)
    kind = serializers.ChoiceField(choices=AlertKind.choices, read_only=True)
    status = serializers.ChoiceField(choices=AlertStatus.choices, read_only=True)
    reported_by = serializers.IntegerField(source="reported_by_id", read_only=True)
    acknowledged_by = serializers.IntegerField(source="acknowledged_by_id", read_only=True, allow_null=True)

    class Meta:
        model = Alert
        fields = ["id", "child", "kind", "description", "occurred_on", "reported_by", "reported_at", "status",
                  "acknowledged_by", "acknowledged_at", "escalated", "outcome"]
        read_only_fields = fields


class AlertCreateSerializer(serializers.Serializer):
    id = StrictUUIDField(help_text="The client's UUID: a retry with the same id and content is the same report")
    child = serializers.IntegerField(min_value=1, max_value=ID_MAX,
                                     help_text="A child the caller is paired with now (a caring mother) or of the "
                                               "caller's subtree (staff)")
    kind = serializers.ChoiceField(choices=AlertKind.choices)
    description = serializers.CharField(max_length=DESCRIPTION_MAX_CHARS, help_text="What happened (required)")
    occurred_on = serializers.DateField(help_text="Not in the future")


class AlertCloseSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=OUTCOME_MAX_CHARS, allow_blank=True,
                                    help_text="How it was dealt with (required, not blank)")


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "created_at", "read_at"]
        read_only_fields = fields
