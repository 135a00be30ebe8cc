"""The activities API (/api/v1/activities/).

Reads go through ``Activity.objects.visible_to`` (staff: their region subtree; a volunteer: the
activities she recorded or took part in, unfiltered, without their region), so an activity outside
the caller's scope is a 404.
Recording goes through activities.services.activity_record, which is idempotent on the client's
UUID: 201 when created, 200 with the stored record when the same id arrives again with the same
content (a phone retrying), 409 when it arrives with other content. Corrections go through
activity_update (after the edit window only staff may: 403), photos through activities.photos (idempotent
on the client's photo id when one is sent: 201 stored, 200 already stored).
Viewers read only (403). Nothing is deleted (no DELETE: 405).
"""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from activities import photos as photo_service
from activities import services
from activities.api.serializers import (
    ActivitySerializer,
    ActivityUpdateSerializer,
    PhotoSerializer,
    PhotoUploadSerializer,
    VolunteerActivitySerializer,
)
from activities.filters import ActivityFilter
from activities.models import Activity, ActivityChild, ActivityPhoto
from core.access import EDIT, PHONE, READ, PhoneListsUnfiltered, api_roles, is_volunteer
from core.relations import cache_related

# Everyone in scope reads; staff, admins and caring mothers record (viewers are read-only).
RecordsActivities = api_roles(READ | PHONE, EDIT | PHONE)


def with_relations(queryset):
    """Everything a serialized activity shows, in a fixed number of queries whatever the page size."""
    return queryset.select_related("volunteer").prefetch_related(
        Prefetch("child_links", queryset=ActivityChild.objects.order_by("id")),
        "co_volunteers",
        Prefetch("photos", queryset=ActivityPhoto.objects.order_by("id")),
    )


CONFLICT = inline_serializer("ActivityConflict", {"detail": serializers.CharField(), "id": serializers.UUIDField()})


@extend_schema_view(
    list=extend_schema(summary="Activities in the caller's scope (a volunteer: her own), newest first"),
    retrieve=extend_schema(summary="One activity"),
    partial_update=extend_schema(
        summary="Correct an activity (after the edit window: staff only, audited)",
        request=ActivityUpdateSerializer, responses=ActivitySerializer),
)
class ActivityViewSet(PhoneListsUnfiltered, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                      viewsets.GenericViewSet):
    permission_classes = [RecordsActivities]
    filterset_class = ActivityFilter
    serializer_class = ActivitySerializer
    # No PUT (corrections are partial) and no DELETE (history is kept).
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        # list: 1 count + 1 page (JOIN volunteer) + 1 children + 1 co-volunteers + 1 photos.
        return with_relations(Activity.objects.visible_to(self.request.user))

    def _shape(self) -> type[ActivitySerializer]:
        return VolunteerActivitySerializer if is_volunteer(self.request.user) else ActivitySerializer

    def get_serializer_class(self):
        shape = super().get_serializer_class()
        return self._shape() if shape is ActivitySerializer else shape

    def _respond(self, pk, code: int) -> Response:
        activity = with_relations(Activity.objects.all()).get(pk=pk)
        return Response(self._shape()(activity, context=self.get_serializer_context()).data, status=code)

    @extend_schema(summary="Record an activity; idempotent on the client's id",
                   responses={201: ActivitySerializer,
                              200: OpenApiResponse(ActivitySerializer,
                                                   description=_("The same id and content were already recorded: "
                                                                 "the stored activity; nothing was created.")),
                              409: OpenApiResponse(CONFLICT, description=_("The id was used for other content."))})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        try:
            activity, created = services.activity_record(
                actor=request.user, id=data.get("id"), volunteer=data.get("volunteer_id"),
                children=data["children"], occurred_on=data["occurred_on"], kind=data["kind"],
                services=data["services"], is_group=data["is_group"], title=data["title"],
                duration_minutes=data["duration_minutes"], place=data["place"], participants=data["participants"],
                aid_value_yuan=data["aid_value_yuan"], notes=data["notes"], follow_up=data["follow_up"],
                co_volunteers=data["co_volunteers"], confirm_large_aid=data["confirm_large_aid"],
                confirm_large_participants=data["confirm_large_participants"],
                confirm_repeat=data["confirm_repeat"])
        except services.ActivityConflict as conflict:
            return Response({"detail": str(conflict), "id": str(conflict.activity.pk)},
                            status=status.HTTP_409_CONFLICT)
        if not created:  # a replay: the stored activity, with the photos added since
            return self._respond(activity.pk, status.HTTP_200_OK)
        # Shown as written, not read back: the service cached its children and other volunteers; a new
        # activity has no photos yet. The request's serializer shows it (as DRF's save() does: its fields
        # are built once).
        cache_related(activity, "photos", [])
        serializer.instance = activity
        return Response(serializer.data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        activity = self.get_object()
        serializer = ActivityUpdateSerializer(activity, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        confirm_aid = fields.pop("confirm_large_aid", False)
        confirm_participants = fields.pop("confirm_large_participants", False)
        services.activity_update(actor=request.user, activity=activity, confirm_large_aid=confirm_aid,
                                 confirm_large_participants=confirm_participants, **fields)
        return self._respond(activity.pk, status.HTTP_200_OK)

    @extend_schema(summary="Add a photo (JPEG, PNG or WebP; resized, location metadata removed); idempotent on "
                           "the client's photo id",
                   request={"multipart/form-data": PhotoUploadSerializer},
                   responses={201: PhotoSerializer,
                              200: OpenApiResponse(PhotoSerializer,
                                                   description=_("A photo with this id was already added to the "
                                                                 "activity: the stored photo; nothing was stored."))})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser],
            serializer_class=PhotoUploadSerializer, filter_backends=[], pagination_class=None)
    def photos(self, request, pk=None):
        activity = self.get_object()
        serializer = PhotoUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload, client_id = serializer.validated_data["image"], serializer.validated_data.get("client_id")
        if client_id is None:
            photo, created = photo_service.photo_add(actor=request.user, activity=activity, upload=upload), True
        else:
            photo, created = photo_service.photo_add_once(actor=request.user, activity=activity, upload=upload,
                                                          client_id=client_id)
        return Response(PhotoSerializer(photo, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
