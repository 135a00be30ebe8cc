"""The roster API: /api/v1/teams/, /api/v1/volunteers/ (with reserve helpers, recognition, status
actions and training history) and /api/v1/trainings/.

Reads go through each model's ``visible_to``, so anything outside the caller's region subtree is a
404; the federation roles read (core.access.READ: a caring mother's login is refused, 403 — she has
her phone pages), writes are for editors (core.access.EDIT: viewers get 403) and go through
volunteers.services, whose ValidationErrors config.api_errors turns into 400s keyed by field.
Nothing is deleted: a caring mother stops by deactivation.
"""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Region
from core.access import EDIT, READ, api_roles
from core.regions import validate_code
from volunteers import services
from volunteers.api.filters import TeamFilter, TrainingFilter, VolunteerFilter
from volunteers.api.serializers import (
    DeactivatedVolunteerSerializer,
    DeactivateSerializer,
    ReactivateSerializer,
    RecognitionSerializer,
    ReserveHelperRemoveSerializer,
    ReserveHelperSerializer,
    TeamSerializer,
    TrainingSerializer,
    VolunteerSerializer,
    VolunteerUpdateSerializer,
)
from volunteers.models import Team, Training, Volunteer, VolunteerStatus

# Federation roles read what their scope shows them; editors change.
READ_ANY_WRITE_EDITOR = api_roles(READ, EDIT)
# The sub-resources under a volunteer are short lists of their own kind: no roster filters, no pages.
SUB_RESOURCE = {"filter_backends": [], "pagination_class": None}


def _region_or_none(code: str) -> Region | None:
    """The region a code names, or None (the service then says it does not exist or is out of scope)."""
    code = validate_code(code, field="region")
    return Region.objects.filter(pk=code).first()


def _team_or_none(team_id: int | None) -> Team | None:
    """The team an id names (the service checks it is in the caller's scope); None for "no team"."""
    if team_id is None:
        return None
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise exceptions.ValidationError({"team": [_("The team does not exist or is outside your area.")]})
    return team


@extend_schema_view(
    list=extend_schema(summary="Volunteer teams (志愿服务队) in the caller's region subtree"),
    retrieve=extend_schema(summary="One team"),
    create=extend_schema(summary="Found a team in a region", responses={201: TeamSerializer}),
)
class TeamViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  viewsets.GenericViewSet):
    permission_classes = [READ_ANY_WRITE_EDITOR]
    filterset_class = TeamFilter
    serializer_class = TeamSerializer

    def get_queryset(self):
        return Team.objects.visible_to(self.request.user).select_related("region")

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        team = services.team_create(actor=request.user, name=data["name"], region=_region_or_none(data["region_id"]),
                                    created_on=data.get("created_on"), notes=data.get("notes", ""))
        team = Team.objects.select_related("region").get(pk=team.pk)
        return Response(TeamSerializer(team).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="The roster: caring mothers in the caller's region subtree (a volunteer: herself)"),
    retrieve=extend_schema(summary="One caring mother"),
    create=extend_schema(summary="Register a caring mother (optionally with her login)",
                         responses={201: VolunteerSerializer}),
    update=extend_schema(summary="Change a caring mother's record", responses=VolunteerSerializer),
    partial_update=extend_schema(summary="Change some of a caring mother's record", responses=VolunteerSerializer),
)
class VolunteerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Caring mothers (爱心妈妈). No DELETE: history is never deleted; she is deactivated instead."""

    permission_classes = [READ_ANY_WRITE_EDITOR]
    filterset_class = VolunteerFilter
    serializer_class = VolunteerSerializer

    def get_queryset(self):
        # list: 1 count + 1 page (JOIN region, team; active_leads is one subquery), whatever the page size.
        return Volunteer.objects.visible_to(self.request.user).with_load().select_related("region", "team")

    def get_serializer_class(self):
        if self.action in ("update", "partial_update"):
            return VolunteerUpdateSerializer
        return super().get_serializer_class()

    def _response(self, pk: int, *, serializer_class=VolunteerSerializer, code: int = status.HTTP_200_OK,
                  **context) -> Response:
        """The volunteer as stored now (with her load), read by key: the caller has just changed her.
        ``context`` goes to the serializer (e.g. the children a deactivation left without a lead)."""
        volunteer = Volunteer.objects.with_load().select_related("region", "team").get(pk=pk)
        serializer = serializer_class(volunteer, context={**self.get_serializer_context(), **context})
        return Response(serializer.data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        login = data.pop("login", None)
        volunteer = services.volunteer_create(
            actor=request.user, region=_region_or_none(data.pop("region_id")),
            team=_team_or_none(data.pop("team_id", None)),
            login=services.LoginData(**login) if login else None, **data,
        )
        return self._response(volunteer.pk, code=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        volunteer = self.get_object()
        serializer = self.get_serializer(volunteer, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "region_id" in data:
            data["region"] = _region_or_none(data.pop("region_id"))
        if "team_id" in data:
            data["team"] = _team_or_none(data.pop("team_id"))
        services.volunteer_update(actor=request.user, volunteer=volunteer, **data)
        return self._response(volunteer.pk)

    # --- status -----------------------------------------------------------------------------------

    @extend_schema(summary="Deactivate her (dated, with a reason): her pairings end; lists the children "
                           "who now need a new lead", request=DeactivateSerializer,
                   responses=DeactivatedVolunteerSerializer)
    @action(detail=True, methods=["post"], serializer_class=DeactivateSerializer, **SUB_RESOURCE)
    def deactivate(self, request, pk=None):
        volunteer = self.get_object()
        serializer = DeactivateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        children = services.volunteer_set_status(actor=request.user, volunteer=volunteer,
                                                 status=VolunteerStatus.INACTIVE,
                                                 effective_on=data["effective_on"], reason=data["reason"])
        return self._response(volunteer.pk, serializer_class=DeactivatedVolunteerSerializer,
                              children_needing_lead=children)

    @extend_schema(summary="Make her active again (dated)", request=ReactivateSerializer,
                   responses=VolunteerSerializer)
    @action(detail=True, methods=["post"], serializer_class=ReactivateSerializer, **SUB_RESOURCE)
    def reactivate(self, request, pk=None):
        volunteer = self.get_object()
        serializer = ReactivateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.volunteer_set_status(actor=request.user, volunteer=volunteer, status=VolunteerStatus.ACTIVE,
                                      effective_on=data["effective_on"], reason=data["reason"])
        return self._response(volunteer.pk)

    # --- reserve helpers (预备志愿者) ---------------------------------------------------------------

    @extend_schema(methods=["GET"], summary="Her reserve helpers, including removed ones (removed_on set)",
                   request=None, responses=ReserveHelperSerializer(many=True))
    @extend_schema(methods=["POST"], summary="Attach a reserve helper to her", request=ReserveHelperSerializer,
                   responses={201: ReserveHelperSerializer})
    @action(detail=True, methods=["get", "post"], url_path="reserve-helpers", url_name="reserve-helpers",
            serializer_class=ReserveHelperSerializer, **SUB_RESOURCE)
    def reserve_helpers(self, request, pk=None):
        volunteer = self.get_object()
        context = {"request": request, "volunteer": volunteer}
        if request.method == "GET":
            return Response(ReserveHelperSerializer(volunteer.reserve_helpers.all(), many=True, context=context).data)
        serializer = ReserveHelperSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        helper = services.reserve_helper_add(actor=request.user, volunteer=volunteer, **serializer.validated_data)
        return Response(ReserveHelperSerializer(helper, context=context).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Detach a reserve helper (dated; the row stays)", request=ReserveHelperRemoveSerializer,
                   responses=ReserveHelperSerializer)
    @action(detail=True, methods=["post"], url_path=r"reserve-helpers/(?P<helper_id>\d+)/remove",
            url_name="reserve-helper-remove", serializer_class=ReserveHelperRemoveSerializer, **SUB_RESOURCE)
    def reserve_helper_remove(self, request, pk=None, helper_id=None):
        volunteer = self.get_object()
        helper = volunteer.reserve_helpers.filter(pk=helper_id).first()
        if helper is None:
            raise exceptions.NotFound()
        serializer = ReserveHelperRemoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        helper = services.reserve_helper_remove(actor=request.user, helper=helper,
                                                removed_on=serializer.validated_data.get("removed_on"))
        return Response(ReserveHelperSerializer(helper).data)

    # --- recognition (礼遇回馈) and training history --------------------------------------------------

    @extend_schema(methods=["GET"], summary="Her awards and gift packs, newest first", request=None,
                   responses=RecognitionSerializer(many=True))
    @extend_schema(methods=["POST"], summary="Record an award or a gift pack for her", request=RecognitionSerializer,
                   responses={201: RecognitionSerializer})
    @action(detail=True, methods=["get", "post"], serializer_class=RecognitionSerializer, **SUB_RESOURCE)
    def recognitions(self, request, pk=None):
        volunteer = self.get_object()
        if request.method == "GET":
            return Response(RecognitionSerializer(volunteer.recognitions.all(), many=True).data)
        serializer = RecognitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        recognition = services.recognition_create(actor=request.user, volunteer=volunteer,
                                                  **serializer.validated_data)
        return Response(RecognitionSerializer(recognition).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="The trainings she attended, newest first", request=None,
                   responses=TrainingSerializer(many=True))
    @action(detail=True, methods=["get"], serializer_class=TrainingSerializer, **SUB_RESOURCE)
    def trainings(self, request, pk=None):
        volunteer = self.get_object()
        rows = volunteer.trainings.select_related("region").prefetch_related(_ATTENDEE_IDS)
        return Response(TrainingSerializer(rows, many=True).data)


# Only the ids of the attendees are shown: prefetch them without the rest of their rows.
_ATTENDEE_IDS = Prefetch("attendees", queryset=Volunteer.objects.only("pk"))


@extend_schema_view(
    list=extend_schema(summary="Training sessions (赋能培训) held in the caller's region subtree"),
    retrieve=extend_schema(summary="One training session"),
    create=extend_schema(summary="Record a training session with its attendees and participants (人次)",
                         responses={201: TrainingSerializer}),
)
class TrainingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      viewsets.GenericViewSet):
    permission_classes = [READ_ANY_WRITE_EDITOR]
    filterset_class = TrainingFilter
    serializer_class = TrainingSerializer

    def get_queryset(self):
        # list: 1 count + 1 page (JOIN region) + 1 attendee ids (IN query), whatever the page size.
        return Training.objects.visible_to(self.request.user).select_related("region").prefetch_related(_ATTENDEE_IDS)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        training = services.training_create(actor=request.user, region=_region_or_none(data.pop("region_id")),
                                            **data)
        training = Training.objects.select_related("region").prefetch_related(_ATTENDEE_IDS).get(pk=training.pk)
        return Response(TrainingSerializer(training).data, status=status.HTTP_201_CREATED)
