"""/api/v1/audit/: administrators read the audit log of their subtree (read-only, newest first)."""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, viewsets

from accounts.api.serializers import AuditEventSerializer
from accounts.models import AuditAction, AuditEvent
from core.access import MANAGE, api_roles
from core.filters import IntegerFilter

ERROR = inline_serializer("AuditError", {"detail": serializers.CharField()})
FILTER_ERRORS = inline_serializer("AuditFilterErrors", {
    name: serializers.ListField(child=serializers.CharField(), required=False)
    for name in ("action", "actor", "target_type", "target_id")
})


class AuditEventFilter(filters.FilterSet):
    action = filters.ChoiceFilter(choices=AuditAction.choices, label=_("action"))
    actor = IntegerFilter(field_name="actor_id", label=_("user id"))
    target_type = filters.CharFilter(label=_("record type (app.model, e.g. accounts.user)"))
    target_id = filters.CharFilter(label=_("record id"))

    class Meta:
        model = AuditEvent
        fields = ["action", "actor", "target_type", "target_id"]


@extend_schema_view(
    list=extend_schema(
        summary="The audit log of the administrator's subtree, newest first",
        responses={200: AuditEventSerializer(many=True),
                   400: OpenApiResponse(FILTER_ERRORS, description="An unknown action, or a user id that is not a "
                                                                   "whole number: the messages by parameter."),
                   401: OpenApiResponse(ERROR, description="Not signed in."),
                   403: OpenApiResponse(ERROR, description="Only administrators read the audit log.")}),
    retrieve=extend_schema(
        summary="One audit event",
        responses={200: AuditEventSerializer,
                   401: OpenApiResponse(ERROR, description="Not signed in."),
                   403: OpenApiResponse(ERROR, description="Only administrators read the audit log."),
                   404: OpenApiResponse(ERROR, description="No such event in the administrator's subtree.")}),
)
class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """Who read or changed what, when, from where: the events of the administrator's subtree (a
    superuser's: all). Read-only: the log is append-only."""

    serializer_class = AuditEventSerializer
    permission_classes = [api_roles(MANAGE)]
    filterset_class = AuditEventFilter

    def get_queryset(self):
        # list: the count and one page (the actor is its id: no join).
        return AuditEvent.objects.visible_to(self.request.user).order_by("-at", "-id")
