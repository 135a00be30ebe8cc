"""The children ledger API (/api/v1/children/, /api/v1/needs/, /api/v1/transfers/).

Reads go through ``Child.objects.visible_to`` / ``Need.objects.visible_to``, so anything outside the
caller's region subtree is a 404. A caring mother reads only the list and the record of the children
she is paired with now, by their given names (VolunteerChildSerializer, unfiltered); everything else
here refuses her (403). Writes are for admins and staff (viewers get 403) and go through
children.services, whose ValidationErrors config.api_errors turns into 400s keyed by field.
Nothing is ever deleted: a child leaves the ledger by exiting, and the history stays.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Region
from children import services, transfers
from children.api.serializers import (
    AssessmentSerializer,
    ChildSerializer,
    ChildUpdateSerializer,
    ExitSerializer,
    NeedSerializer,
    NeedTransitionSerializer,
    RevealedIdNumberSerializer,
    RevealSerializer,
    StatusActionSerializer,
    StatusChangeSerializer,
    TransferRejectSerializer,
    TransferRequestSerializer,
    TransferSerializer,
    VolunteerChildSerializer,
)
from children.filters import ChildFilter, validate_region_code
from children.models import Child, Need, NeedKind, NeedStatus, Status, Transfer, TransferStatus
from core.access import EDIT, PHONE, READ, PhoneListsUnfiltered, api_roles, is_volunteer
from core.compression import no_compression
from core.filters import IntegerFilter
from core.regioncodes import subtree_q
from core.regions import validate_code
from core.security import no_store
from exports.api.views import ExportAcceptedSerializer
from exports.models import ExportKind
from exports.services import export_request

# Federation roles read what their scope shows them, a caring mother her paired children (by given
# name); editors change.
READ_ANY_WRITE_EDITOR = api_roles(READ | PHONE, EDIT)
# The records around a child (risk cards, history, needs): federation roles only.
STAFF_READ_EDITOR_WRITE = api_roles(READ, EDIT)


def _region_or_none(code: str, *, field: str = "region") -> Region | None:
    """The region a code names, or None (the service then says it does not exist or is out of scope)."""
    code = validate_code(code, field=field)
    return Region.objects.filter(pk=code).first()


def _guardians(rows) -> list[services.GuardianData]:
    return [services.GuardianData(name=g["name"], relation=g["relation"], phone=g.get("phone", ""))
            for g in rows]


def _child_response(pk: int, *, code: int = status.HTTP_200_OK) -> Response:
    """The child as stored now. Read by key, not through the caller's scope: after a transfer out of
    the caller's area the response still shows the record they have just changed."""
    child = Child.objects.select_related("region").prefetch_related("guardians").get(pk=pk)
    return Response(ChildSerializer(child).data, status=code)


# The sub-resources under a child are short lists of their own kind: no ledger filters, no pages.
SUB_RESOURCE = {"filter_backends": [], "pagination_class": None}
# ... and the ones that can be read are for federation roles only.
STAFF_SUB_RESOURCE = {**SUB_RESOURCE, "permission_classes": [STAFF_READ_EDITOR_WRITE]}


@extend_schema_view(
    list=extend_schema(summary="The ledger: children in the caller's region subtree, filtered and sorted"),
    retrieve=extend_schema(summary="One child (each read is recorded in the audit log)"),
    create=extend_schema(summary="Register a child", responses={201: ChildSerializer}),
    update=extend_schema(summary="Change a child's record", responses=ChildSerializer),
    partial_update=extend_schema(summary="Change some of a child's record", responses=ChildSerializer),
)
@no_store  # a child's record, and a revealed ID number: no cache keeps a copy (core.security)
class ChildViewSet(PhoneListsUnfiltered, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                   mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Children in the ledger (台账). No DELETE: history is never deleted; a child exits instead."""

    permission_classes = [READ_ANY_WRITE_EDITOR]
    filterset_class = ChildFilter
    serializer_class = ChildSerializer

    def get_queryset(self):
        # list: 1 count + 1 page + 1 guardians, whatever the page size (see test_list_query_count).
        children = Child.objects.visible_to(self.request.user).select_related("region").prefetch_related("guardians")
        # Hers in a neutral order (the ledger's, by region and full name, would hint at both).
        return children.order_by("pk") if is_volunteer(self.request.user) else children

    def get_serializer_class(self):
        if is_volunteer(self.request.user):
            return VolunteerChildSerializer
        if self.action in ("update", "partial_update"):
            return ChildUpdateSerializer
        return super().get_serializer_class()

    def retrieve(self, request, *args, **kwargs):
        child = self.get_object()
        services.child_record_view(actor=request.user, child=child)
        return Response(self.get_serializer(child).data)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        region = _region_or_none(data.pop("region_id"))
        guardians = _guardians(data.pop("guardians", []))
        child = services.child_create(actor=request.user, region=region, guardians=guardians,
                                      **data)
        return _child_response(child.pk, code=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        child = self.get_object()
        serializer = self.get_serializer(child, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "guardians" in data:
            data["guardians"] = _guardians(data["guardians"])
        services.child_update(actor=request.user, child=child, **data)
        return _child_response(child.pk)

    # --- the three-colour risk card ---------------------------------------------------------------

    @extend_schema(methods=["GET"], summary="The child's risk assessments, oldest first", request=None,
                   responses=AssessmentSerializer(many=True))
    @extend_schema(methods=["POST"], summary="Record a risk assessment; the latest sets the child's colour",
                   request=AssessmentSerializer, responses={201: AssessmentSerializer})
    @action(detail=True, methods=["get", "post"], serializer_class=AssessmentSerializer, **STAFF_SUB_RESOURCE)
    def assessments(self, request, pk=None):
        child = self.get_object()
        if request.method == "GET":
            rows = child.assessments.select_related("assessor")
            return Response(AssessmentSerializer(rows, many=True).data)
        serializer = AssessmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        assessment = services.child_assess(
            actor=request.user, child=child, color=data["color"], reasons=data.get("reasons", []),
            assessed_on=data["assessed_on"], note=data.get("note", ""), next_review_on=data.get("next_review_on"),
        )
        return Response(AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)

    # --- dynamic status ---------------------------------------------------------------------------

    @extend_schema(summary="Exit the child from the programme (dated, with a reason; kept in the history)",
                   request=ExitSerializer, responses=ChildSerializer)
    @action(detail=True, methods=["post"], serializer_class=ExitSerializer, **SUB_RESOURCE)
    def exit(self, request, pk=None):
        child = self.get_object()
        serializer = ExitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.child_exit(actor=request.user, child=child, reason=data["reason"], exited_on=data["exited_on"],
                            note=data["note"])
        return _child_response(child.pk)

    def _change_status(self, request, to_status: str) -> Response:
        child = self.get_object()
        serializer = StatusActionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.child_change_status(actor=request.user, child=child, to_status=to_status,
                                     effective_on=data["effective_on"], note=data["note"])
        return _child_response(child.pk)

    @extend_schema(summary="Suspend the child (e.g. away for a term); dated and kept in the history",
                   request=StatusActionSerializer, responses=ChildSerializer)
    @action(detail=True, methods=["post"], serializer_class=StatusActionSerializer, **SUB_RESOURCE)
    def suspend(self, request, pk=None):
        return self._change_status(request, Status.SUSPENDED)

    @extend_schema(summary="Make a suspended or exited child active again; dated and kept in the history",
                   request=StatusActionSerializer, responses=ChildSerializer)
    @action(detail=True, methods=["post"], serializer_class=StatusActionSerializer, **SUB_RESOURCE)
    def resume(self, request, pk=None):
        return self._change_status(request, Status.ACTIVE)

    @extend_schema(summary="Ask the receiving region to take the child in (a pending transfer; she stays "
                           "until they accept)", request=TransferRequestSerializer, responses={201: TransferSerializer})
    @action(detail=True, methods=["post"], serializer_class=TransferRequestSerializer, **SUB_RESOURCE)
    def transfer(self, request, pk=None):
        child = self.get_object()
        serializer = TransferRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        field = data["field"]
        try:
            transfer = transfers.transfer_request(
                actor=request.user, child=child, to_region=_region_or_none(data["to_region"], field=field),
                reason=data["reason"], effective_on=data["effective_on"])
        except DjangoValidationError as exc:
            if field == "to_region" or not hasattr(exc, "error_dict"):
                raise
            # The caller used the older name: the errors name it too.
            raise DjangoValidationError({field if key == "to_region" else key: messages
                                         for key, messages in exc.message_dict.items()}) from None
        return _transfer_response(transfer.pk, code=status.HTTP_201_CREATED)

    @extend_schema(summary="The child's status changes and transfers, oldest first", request=None,
                   responses=StatusChangeSerializer(many=True))
    @action(detail=True, methods=["get"], serializer_class=StatusChangeSerializer, **STAFF_SUB_RESOURCE)
    def history(self, request, pk=None):
        child = self.get_object()
        rows = child.status_changes.select_related("actor")
        return Response(StatusChangeSerializer(rows, many=True).data)

    # --- the full ID number -----------------------------------------------------------------------

    @extend_schema(summary="Reveal the full ID number, giving a reason (recorded in the audit log)",
                   request=RevealSerializer, responses=RevealedIdNumberSerializer)
    @action(detail=True, methods=["post"], url_path="reveal-id", url_name="reveal-id",
            serializer_class=RevealSerializer, **SUB_RESOURCE)
    @no_compression  # the full ID number: never compressed (BREACH, core.compression)
    def reveal_id(self, request, pk=None):
        child = self.get_object()
        serializer = RevealSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        number = services.child_reveal_id_number(actor=request.user, child=child,
                                                 reason=serializer.validated_data["reason"])
        return Response({"id_number": number})

    # --- a guardian's access copy -------------------------------------------------------------------

    @extend_schema(summary="Make a guardian's access copy of everything held about the child (a PDF, by an "
                           "export job: poll /api/v1/exports/<id>/, then download it); audited",
                   request=None, responses={202: ExportAcceptedSerializer})
    @action(detail=True, methods=["post"], url_path="access-copy", url_name="access-copy", **SUB_RESOURCE)
    def access_copy(self, request, pk=None):
        child = self.get_object()
        run = export_request(actor=request.user, kind=ExportKind.ACCESS_COPY, filters={"child": str(child.pk)})
        return Response({"id": run.pk, "status": run.status}, status=status.HTTP_202_ACCEPTED)

    # --- needs (急难愁盼 / 微心愿) ------------------------------------------------------------------

    @extend_schema(methods=["GET"], summary="The child's needs and wishes, newest first", request=None,
                   responses=NeedSerializer(many=True))
    @extend_schema(methods=["POST"], summary="Record a need or small wish of the child (opens it)",
                   request=NeedSerializer, responses={201: NeedSerializer})
    @action(detail=True, methods=["get", "post"], serializer_class=NeedSerializer, **STAFF_SUB_RESOURCE)
    def needs(self, request, pk=None):
        child = self.get_object()
        if request.method == "GET":
            return Response(NeedSerializer(child.needs.select_related("child"), many=True).data)
        serializer = NeedSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        need = services.need_create(actor=request.user, child=child, kind=data["kind"],
                                    description=data["description"], opened_on=data.get("opened_on"),
                                    value_yuan=data.get("value_yuan"))
        return Response(NeedSerializer(need).data, status=status.HTTP_201_CREATED)


class NeedFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=NeedStatus.choices, label=_lazy("Status"))
    kind = filters.ChoiceFilter(choices=NeedKind.choices, label=_lazy("Kind"))
    region = filters.CharFilter(method="filter_region", label=_lazy("Region (with everything below it)"),
                                validators=[validate_region_code])
    child = IntegerFilter(field_name="child_id", label=_lazy("Child"))

    class Meta:
        model = Need
        fields = ["status", "kind", "region", "child"]

    def filter_region(self, queryset, name, value):
        return queryset.filter(subtree_q("region", value))


@extend_schema_view(
    list=extend_schema(summary="Needs and wishes of the children in the caller's region subtree"),
    retrieve=extend_schema(summary="One need"),
)
class NeedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Needs and small wishes across the caller's scope. Create them under a child (…/children/<id>/needs/)."""

    permission_classes = [STAFF_READ_EDITOR_WRITE]
    filterset_class = NeedFilter
    serializer_class = NeedSerializer

    def get_queryset(self):
        return Need.objects.visible_to(self.request.user).select_related("child")

    @extend_schema(summary="Move a need along open → claimed → fulfilled (or cancel it, or release a claim)",
                   request=NeedTransitionSerializer, responses=NeedSerializer)
    @action(detail=True, methods=["post"], serializer_class=NeedTransitionSerializer, **SUB_RESOURCE)
    def transition(self, request, pk=None):
        need = self.get_object()
        serializer = NeedTransitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        need = services.need_transition(actor=request.user, need=need, to_status=data["to"], on=data.get("on"),
                                        claimed_by_name=data["claimed_by_name"], value_yuan=data.get("value_yuan"),
                                        note=data["note"])
        return Response(NeedSerializer(Need.objects.select_related("child").get(pk=need.pk)).data)


# --- two-sided transfers (/api/v1/transfers/) -------------------------------------------------------

def _transfer_queryset():
    return Transfer.objects.select_related("child", "from_region", "to_region")


def _transfer_response(pk: int, *, code: int = status.HTTP_200_OK) -> Response:
    """The transfer as stored now (read by key: after the decision it is still the caller's)."""
    return Response(TransferSerializer(_transfer_queryset().get(pk=pk)).data, status=code)


class TransferFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=TransferStatus.choices, label=_lazy("Status"))
    box = filters.ChoiceFilter(choices=[("incoming", _lazy("Incoming")), ("outgoing", _lazy("Outgoing"))],
                               method="filter_box", label=_lazy("Direction"))
    child = IntegerFilter(field_name="child_id", label=_lazy("Child"))

    class Meta:
        model = Transfer
        fields = ["status", "box", "child"]

    @extend_schema_field({"type": "string", "enum": ["incoming", "outgoing"]})  # a method filter: no model field
    def filter_box(self, queryset, name, value):
        incoming = Transfer.objects.incoming(self.request.user).values("pk")
        return queryset.filter(pk__in=incoming) if value == "incoming" else queryset.exclude(pk__in=incoming)


@extend_schema_view(
    list=extend_schema(summary="The transfers the caller's side sends or receives: incoming pending first, "
                               "then outgoing pending, then decided"),
    retrieve=extend_schema(summary="One transfer (the child by a summary only)"),
)
class TransferViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Two-sided transfers (children.transfers). Request one under the child (…/children/<id>/transfer/)."""

    permission_classes = [STAFF_READ_EDITOR_WRITE]
    filterset_class = TransferFilter
    serializer_class = TransferSerializer

    def get_queryset(self):
        # list: 1 count + 1 page (child and both regions JOINed), whatever the page size.
        return transfers.transfers_for(self.request.user)

    @extend_schema(summary="Accept a pending transfer (the receiving region's staff): the child moves, her "
                           "pairings end", request=None, responses=TransferSerializer)
    @action(detail=True, methods=["post"], **SUB_RESOURCE)
    def accept(self, request, pk=None):
        transfer = self.get_object()
        transfers.transfer_accept(actor=request.user, transfer=transfer)
        return _transfer_response(transfer.pk)

    @extend_schema(summary="Reject a pending transfer with a reason (the receiving region's staff)",
                   request=TransferRejectSerializer, responses=TransferSerializer)
    @action(detail=True, methods=["post"], serializer_class=TransferRejectSerializer, **SUB_RESOURCE)
    def reject(self, request, pk=None):
        transfer = self.get_object()
        serializer = TransferRejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        transfers.transfer_reject(actor=request.user, transfer=transfer, reason=serializer.validated_data["reason"])
        return _transfer_response(transfer.pk)

    @extend_schema(summary="Cancel a pending transfer (the sending region's staff)", request=None,
                   responses=TransferSerializer)
    @action(detail=True, methods=["post"], **SUB_RESOURCE)
    def cancel(self, request, pk=None):
        transfer = self.get_object()
        transfers.transfer_cancel(actor=request.user, transfer=transfer)
        return _transfer_response(transfer.pk)
