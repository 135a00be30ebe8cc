"""Urgent reports and notifications over the API.

``/api/v1/alerts/``: a caring mother reports for a child she is paired with now and reads only her own
reports; staff, leaders and admins read their subtree; staff and admins report, acknowledge and close.
Reporting is idempotent on the client's UUID (alerts.services.alert_report): 201 created, 200 the same
id and content again (the stored alert), 409 the same id with other content. An alert or a child outside
the caller's scope is a 404; a leader asking to act is a 403.

``POST /api/v1/alerts/<id>/photo/`` (multipart: ``image``, ``client_id``) attaches the report's optional
photo (alerts.services.alert_photo_add; one per report), idempotent on the client's photo id like an
activity's photos: 201 stored, 200 already stored; the report outside the caller's scope (a caring
mother: not hers) is a 404.

``/api/v1/notifications/``: the caller's own notifications (anyone signed in), newest first, paginated;
``POST …/<id>/read/`` marks one read — someone else's is a 404.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from activities.api.serializers import PhotoUploadSerializer
from activities.models import Notification
from activities.reminders import notification_mark_read
from alerts import services
from alerts.api.serializers import (
    AlertCloseSerializer,
    AlertCreateSerializer,
    AlertPhotoSerializer,
    AlertSerializer,
    NotificationSerializer,
)
from alerts.models import Alert
from children.models import Child
from core.access import EDIT, PHONE, READ, SIGNED_IN, PhoneListsUnfiltered, allowed, api_roles
from core.security import no_store

CONFLICT = inline_serializer("AlertConflict", {"detail": serializers.CharField(), "id": serializers.UUIDField()})
OUT_OF_AREA = _("The child does not exist or is outside your area.")


class AlertRoles(api_roles(READ | PHONE, EDIT | PHONE)):
    """Everyone in scope reads; staff, admins and caring mothers write (the services say who may
    acknowledge and close: staff and admins); a read-only leader asking to act gets a 403 saying why."""

    message = services.EDIT_DENIED


@extend_schema_view(
    list=extend_schema(summary="Urgent reports in the caller's scope (a caring mother: her own), open first"),
    retrieve=extend_schema(summary="One urgent report"),
)
@no_store
class AlertViewSet(PhoneListsUnfiltered, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [AlertRoles]
    serializer_class = AlertSerializer
    filter_backends: list = []

    def get_queryset(self):
        # list: 1 count + 1 page.
        return Alert.objects.visible_to(self.request.user).open_first().select_related("photo")

    def _respond(self, pk, code: int) -> Response:
        return Response(AlertSerializer(Alert.objects.select_related("photo").get(pk=pk),
                                        context=self.get_serializer_context()).data, status=code)

    @extend_schema(summary="Report an urgent situation (紧急情况报告); idempotent on the client's id",
                   request=AlertCreateSerializer,
                   responses={201: AlertSerializer,
                              200: OpenApiResponse(AlertSerializer,
                                                   description=_("The same id and content were already reported: "
                                                                 "the stored report; nothing was created.")),
                              404: OpenApiResponse(description="Child outside the caller's subtree"),
                              409: OpenApiResponse(CONFLICT, description=_("The id was used for other content."))})
    def create(self, request, *args, **kwargs):
        data = AlertCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            alert, created = services.alert_report(
                actor=request.user, id=values["id"], child=values["child"], kind=values["kind"],
                description=values["description"], occurred_on=values["occurred_on"])
        except services.AlertConflict as conflict:
            return Response({"detail": str(conflict), "id": str(conflict.alert.pk)}, status=status.HTTP_409_CONFLICT)
        except Child.DoesNotExist:
            raise exceptions.NotFound(OUT_OF_AREA) from None
        return self._respond(alert.pk, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(summary="Add the report's photo (JPEG, PNG or WebP; resized, location metadata removed; one "
                           "per report); idempotent on the client's photo id",
                   request={"multipart/form-data": PhotoUploadSerializer},
                   responses={201: AlertPhotoSerializer,
                              200: OpenApiResponse(AlertPhotoSerializer,
                                                   description=_("A photo with this id was already added to the "
                                                                 "report: the stored photo; nothing was stored."))})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser],
            serializer_class=PhotoUploadSerializer, filter_backends=[], pagination_class=None)
    def photo(self, request, pk=None):
        alert = self.get_object()
        serializer = PhotoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            photo, created = services.alert_photo_add(
                actor=request.user, alert=alert, upload=serializer.validated_data["image"],
                client_id=serializer.validated_data.get("client_id"))
        except Alert.DoesNotExist:
            raise exceptions.NotFound() from None
        return Response(AlertPhotoSerializer(photo, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(summary="Acknowledge an open report (staff and admins); a child not on a red card is "
                           "assessed red", request=None, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        self._check_editor(request)
        alert = self.get_object()
        services.alert_acknowledge(actor=request.user, alert=alert)
        return self._respond(alert.pk, status.HTTP_200_OK)

    @extend_schema(summary="Close an acknowledged report with its outcome (staff and admins)",
                   request=AlertCloseSerializer, responses=AlertSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        self._check_editor(request)
        alert = self.get_object()
        data = AlertCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.alert_close(actor=request.user, alert=alert, outcome=data.validated_data["outcome"])
        return self._respond(alert.pk, status.HTTP_200_OK)

    def _check_editor(self, request) -> None:
        if not allowed(request.user, EDIT):
            raise exceptions.PermissionDenied(services.EDIT_DENIED)


@extend_schema_view(list=extend_schema(summary="The caller's own notifications, newest first"))
@no_store
class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    permission_classes = [api_roles(SIGNED_IN)]
    serializer_class = NotificationSerializer
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema is built without a user
            return Notification.objects.none()
        # list: 1 count + 1 page.
        return Notification.objects.for_user(self.request.user).order_by("-created_at", "-id")

    @extend_schema(summary="Mark one of the caller's notifications read (someone else's: 404)", request=None,
                   responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        notification_mark_read(actor=request.user, notification=notification)
        return Response(NotificationSerializer(notification).data)
