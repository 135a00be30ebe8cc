"""The pairings API (/api/v1/pairings/).

Reads go through ``Pairing.objects.visible_to`` (a caring mother sees only her own active pairings,
with the child's given name only: VolunteerPairingSerializer, unfiltered), so a pairing outside the
caller's region subtree is a 404; creating and ending are for admins and staff
(viewers and volunteers get 403) and go through pairing.services, the one place the pairing rules
live. No update, no delete: history is never deleted; a pairing ends, dated, with a reason.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.access import EDIT, PHONE, READ, PhoneListsUnfiltered, api_roles, is_volunteer
from pairing import services
from pairing.api.filters import PairingFilter
from pairing.api.serializers import (
    PairingEndedSerializer,
    PairingEndSerializer,
    PairingSerializer,
    VolunteerPairingSerializer,
)
from pairing.models import Pairing


def _pairings():
    return Pairing.objects.select_related("child", "volunteer")


@extend_schema_view(
    list=extend_schema(summary="Pairings of the children in the caller's region subtree (a volunteer: her "
                               "active ones)"),
    retrieve=extend_schema(summary="One pairing"),
    create=extend_schema(summary="Pair a caring mother with a child as lead or helper",
                         responses={201: PairingSerializer}),
)
class PairingViewSet(PhoneListsUnfiltered, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     mixins.CreateModelMixin, viewsets.GenericViewSet):
    # Federation roles and caring mothers read (what visible_to gives them); admins and staff pair and end.
    permission_classes = [api_roles(READ | PHONE, EDIT)]
    filterset_class = PairingFilter
    serializer_class = PairingSerializer

    def get_queryset(self):
        # list: 1 count + 1 page (JOIN child, volunteer), whatever the page size.
        return Pairing.objects.visible_to(self.request.user).select_related("child", "volunteer")

    def get_serializer_class(self):
        if is_volunteer(self.request.user):
            return VolunteerPairingSerializer
        return super().get_serializer_class()

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        pairing = services.pairing_create(actor=request.user, child=data["child_id"], volunteer=data["volunteer_id"],
                                          role=data["role"], started_on=data.get("started_on"))
        return Response(PairingSerializer(_pairings().get(pk=pairing.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="End the pairing (dated, with a reason); ending a lead whose child has helpers "
                           "needs new_lead", request=PairingEndSerializer, responses=PairingEndedSerializer)
    @action(detail=True, methods=["post"], serializer_class=PairingEndSerializer, filter_backends=[],
            pagination_class=None)
    def end(self, request, pk=None):
        pairing = self.get_object()
        serializer = PairingEndSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # Problems with the chosen new lead come back from the service under "new_lead".
        replacement = services.pairing_end(actor=request.user, pairing=pairing, ended_on=data["ended_on"],
                                           end_reason=data["end_reason"], note=data["note"],
                                           new_lead=data.get("new_lead"))
        ended = _pairings().get(pk=pairing.pk)
        ended.new_lead_pairing = _pairings().get(pk=replacement.pk) if replacement is not None else None
        return Response(PairingEndedSerializer(ended).data)
