"""The shapes of /api/v1/alerts/ and /api/v1/notifications/."""

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
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
    photo = serializers.SerializerMethodField(label=_("photo"))

    class Meta:
        model = Alert
        fields = ["id", "child", "kind", "description", "occurred_on", "reported_by", "reported_at", "status",
                  "acknowledged_by", "acknowledged_at", "escalated", "outcome", "photo"]
        read_only_fields = fields

    def get_photo(self, alert: Alert) -> str | None:
        """The address of the report's photo (served to those who can see the report), or null."""
        try:
            alert.photo  # noqa: B018 (a reverse one-to-one: raises when there is none)
        except ObjectDoesNotExist:
            return None
        url = reverse("alerts:photo", args=[alert.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class AlertCreateSerializer(serializers.Serializer):
    id = StrictUUIDField(help_text="The client's UUID: a retry with the same id and content is the same report")
    child = serializers.IntegerField(min_value=1, max_value=ID_MAX,
                                     help_text="A child the caller is paired with now (a caring mother) or of the "
                                               "caller's subtree (staff)")
    kind = serializers.ChoiceField(choices=AlertKind.choices)
    description = serializers.CharField(max_length=DESCRIPTION_MAX_CHARS, help_text="What happened (required)")
    occurred_on = serializers.DateField(help_text="Not in the future")


class AlertPhotoSerializer(serializers.Serializer):
    """The stored photo of a report (POST /api/v1/alerts/<id>/photo/)."""

    alert = serializers.UUIDField(source="alert_id", read_only=True)
    url = serializers.SerializerMethodField(label=_("address"))
    width = serializers.IntegerField(read_only=True)
    height = serializers.IntegerField(read_only=True)

    def get_url(self, photo) -> str:
        url = reverse("alerts:photo", args=[photo.alert_id])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class AlertCloseSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=OUTCOME_MAX_CHARS, allow_blank=True,
                                    help_text="How it was dealt with (required, not blank)")


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "created_at", "read_at"]
        read_only_fields = fields
