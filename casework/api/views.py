"""Casework over the API: /api/v1/case-plans/ (a red or yellow child's plan and its actions) and
/api/v1/referrals/ (referrals to other departments and their transitions).

Everything calls casework.services, as the pages do. Plans and referrals outside the caller's subtree
are 404 (so is a child named in a request body); volunteers get 403, and so do read-only leaders asking
to change anything; a rule that refuses the request is a 400 naming the field.
"""

from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.models import User
from casework import consents, services
from casework.api.serializers import (
    CaseActionCompleteSerializer,
    CaseActionCreateSerializer,
    CaseActionSerializer,
    CaseActionUpdateSerializer,
    CasePlanCreateSerializer,
    CasePlanSerializer,
    CasePlanUpdateSerializer,
    ConsentCreateSerializer,
    ConsentSerializer,
    ConsentWithdrawSerializer,
    ReferralCompleteSerializer,
    ReferralCreateSerializer,
    ReferralSerializer,
    ReferralTransitionSerializer,
)
from casework.models import (
    CaseAction,
    CasePlan,
    Department,
    GuardianConsent,
    PlanStatus,
    Referral,
    ReferralStatus,
)
from children.models import Child
from core.access import EDIT, READ, allowed, api_roles
from core.filters import IntegerFilter
from core.security import no_store

READ_DENIED = _lazy("Case plans and referrals are for federation staff and leaders.")
NOT_FOUND_CHILD = OpenApiResponse(description="The child is outside the caller's region subtree")
SUB_RESOURCE = {"filter_backends": [], "pagination_class": None}


class CaseworkRoles(api_roles(READ, EDIT)):
    """Staff, leaders and admins read; staff and admins change."""

    message = READ_DENIED

    def has_permission(self, request, view) -> bool:
        admitted = super().has_permission(request, view)
        if not admitted and allowed(request.user, self.read):  # a read-only leader asking for a change
            self.message = services.EDIT_DENIED
        return admitted


def _child(user, pk: int) -> Child:
    try:
        return Child.objects.visible_to(user).get(pk=pk)
    except Child.DoesNotExist:
        raise exceptions.NotFound() from None


def _owner(pk: int | None) -> User | None:
    if pk is None:
        return None
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise exceptions.ValidationError({"owner": [_("The owner must be a staff member of the child's area or the "
                                                      "child's lead caring mother.")]})
    return user


class CasePlanFilter(filters.FilterSet):
    child = IntegerFilter(field_name="child_id", label=_lazy("Child"))
    status = filters.ChoiceFilter(choices=PlanStatus.choices, label=_lazy("Status"))

    class Meta:
        model = CasePlan
        fields = ["child", "status"]


class ReferralFilter(filters.FilterSet):
    child = IntegerFilter(field_name="child_id", label=_lazy("Child"))
    status = filters.ChoiceFilter(choices=ReferralStatus.choices, label=_lazy("Status"))
    department = filters.ChoiceFilter(choices=Department.choices, label=_lazy("Department"))

    class Meta:
        model = Referral
        fields = ["child", "status", "department"]


def _plan_response(pk: int, *, code: int = status.HTTP_200_OK) -> Response:
    plan = CasePlan.objects.prefetch_related("actions").get(pk=pk)
    return Response(CasePlanSerializer(plan).data, status=code)


@extend_schema_view(
    list=extend_schema(summary="Case plans (帮扶计划) of the children in the caller's region subtree"),
    retrieve=extend_schema(summary="One case plan with its actions"),
)
@no_store
class CasePlanViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [CaseworkRoles]
    serializer_class = CasePlanSerializer
    filterset_class = CasePlanFilter

    def get_queryset(self):
        return CasePlan.objects.visible_to(self.request.user).prefetch_related("actions").order_by("-created_at", "-id")

    @extend_schema(summary="Open a case plan for a red or yellow child (one open plan per child)",
                   request=CasePlanCreateSerializer, responses={201: CasePlanSerializer, 404: NOT_FOUND_CHILD})
    def create(self, request):
        data = CasePlanCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        plan = services.plan_create(actor=request.user, child=_child(request.user, values["child"]),
                                    goals=values["goals"], review_on=values["review_on"])
        return _plan_response(plan.pk, code=status.HTTP_201_CREATED)

    @extend_schema(summary="Change an open plan's goals or review date", request=CasePlanUpdateSerializer,
                   responses=CasePlanSerializer)
    def partial_update(self, request, pk=None):
        plan = self.get_object()
        data = CasePlanUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.plan_update(actor=request.user, plan=plan, **data.validated_data)
        return _plan_response(plan.pk)

    @extend_schema(summary="Close an open plan", request=None, responses=CasePlanSerializer)
    @action(detail=True, methods=["post"], **SUB_RESOURCE)
    def close(self, request, pk=None):
        plan = self.get_object()
        services.plan_close(actor=request.user, plan=plan)
        return _plan_response(plan.pk)

    @extend_schema(summary="Add an action to an open plan", request=CaseActionCreateSerializer,
                   responses={201: CaseActionSerializer})
    @action(detail=True, methods=["post"], url_path="actions", url_name="actions", **SUB_RESOURCE)
    def add_action(self, request, pk=None):
        plan = self.get_object()
        data = CaseActionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        created = services.action_add(actor=request.user, plan=plan, description=values["description"],
                                      owner=_owner(values["owner"]), due_on=values["due_on"])
        return Response(CaseActionSerializer(created).data, status=status.HTTP_201_CREATED)

    def _action(self, plan: CasePlan, action_id: str) -> CaseAction:
        try:
            return CaseAction.objects.select_related("plan__child").get(plan=plan, pk=int(action_id))
        except (CaseAction.DoesNotExist, ValueError, OverflowError):
            raise exceptions.NotFound() from None

    @extend_schema(summary="Change an open action's description, owner or due date",
                   request=CaseActionUpdateSerializer, responses=CaseActionSerializer)
    @action(detail=True, methods=["patch"], url_path=r"actions/(?P<action_id>[0-9]{1,9})", url_name="action",
            **SUB_RESOURCE)
    def update_action(self, request, pk=None, action_id=None):
        plan = self.get_object()
        case_action = self._action(plan, action_id)
        data = CaseActionUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "owner" in values:
            values["owner"] = _owner(values["owner"])
        case_action = services.action_update(actor=request.user, action=case_action, **values)
        return Response(CaseActionSerializer(case_action).data)

    @extend_schema(summary="Mark an open action done (dated, not in the future)",
                   request=CaseActionCompleteSerializer, responses=CaseActionSerializer)
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<action_id>[0-9]{1,9})/complete",
            url_name="action-complete", **SUB_RESOURCE)
    def complete_action(self, request, pk=None, action_id=None):
        plan = self.get_object()
        case_action = self._action(plan, action_id)
        data = CaseActionCompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case_action = services.action_complete(actor=request.user, action=case_action,
                                               done_on=data.validated_data.get("done_on"))
        return Response(CaseActionSerializer(case_action).data)


@extend_schema_view(
    list=extend_schema(summary="Referrals (转介) of the children in the caller's region subtree"),
    retrieve=extend_schema(summary="One referral"),
)
@no_store
class ReferralViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [CaseworkRoles]
    serializer_class = ReferralSerializer
    filterset_class = ReferralFilter

    def get_queryset(self):
        return Referral.objects.visible_to(self.request.user).order_by("-referred_on", "-id")

    @extend_schema(summary="Refer a child to another department (needs a guardian's consent on record or a "
                           "reason for overriding it, which is audited)",
                   request=ReferralCreateSerializer, responses={201: ReferralSerializer, 404: NOT_FOUND_CHILD})
    def create(self, request):
        data = ReferralCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["child"] = _child(request.user, values["child"])
        referral = services.referral_create(actor=request.user, **values)
        return Response(ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)

    def _transition(self, request, to_status: str, serializer_class) -> Response:
        referral = self.get_object()
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        referral = services.referral_transition(actor=request.user, referral=referral, to_status=to_status,
                                                **data.validated_data)
        return Response(ReferralSerializer(referral).data)

    @extend_schema(summary="The receiving organisation accepted the referral (sent → accepted)",
                   request=ReferralTransitionSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"], **SUB_RESOURCE)
    def accept(self, request, pk=None):
        return self._transition(request, ReferralStatus.ACCEPTED, ReferralTransitionSerializer)

    @extend_schema(summary="The receiving organisation declined the referral (sent → declined)",
                   request=ReferralTransitionSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"], **SUB_RESOURCE)
    def decline(self, request, pk=None):
        return self._transition(request, ReferralStatus.DECLINED, ReferralTransitionSerializer)

    @extend_schema(summary="The referral is completed, with its outcome (accepted → completed)",
                   request=ReferralCompleteSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"], **SUB_RESOURCE)
    def complete(self, request, pk=None):
        return self._transition(request, ReferralStatus.COMPLETED, ReferralCompleteSerializer)


@extend_schema_view(
    list=extend_schema(summary="A child's guardians' consents (processing, photos, sharing), the newest first",
                       responses={200: ConsentSerializer(many=True), 404: NOT_FOUND_CHILD}),
)
@no_store
class ConsentViewSet(viewsets.GenericViewSet):
    """/api/v1/children/<child_id>/consents/ — read by staff, leaders and admins of the child's area;
    recorded and withdrawn by staff and admins (casework.consents)."""

    permission_classes = [CaseworkRoles]
    serializer_class = ConsentSerializer
    filter_backends: list = []
    pagination_class = None

    def get_parsers(self):
        # JSON everywhere; recording a consent also takes multipart (the scan of a signed one).
        # (DRF asks before it sets ``action`` on a request: the route's action map tells the same.)
        if getattr(self, "action", None) == "create" or "create" in getattr(self, "action_map", {}).values():
            return [JSONParser(), MultiPartParser()]
        return [JSONParser()]

    def _consents(self, child_pk):
        child = _child(self.request.user, child_pk)
        return child, GuardianConsent.objects.visible_to(self.request.user).filter(child=child)

    def list(self, request, child_pk=None):
        _child_obj, consents_of_child = self._consents(child_pk)
        return Response(ConsentSerializer(consents_of_child, many=True).data)

    @extend_schema(summary="Record a guardian's consent (JSON, or multipart with the scan of a signed one)",
                   request={"application/json": ConsentCreateSerializer, "multipart/form-data": ConsentCreateSerializer},
                   responses={201: ConsentSerializer, 404: NOT_FOUND_CHILD})
    def create(self, request, child_pk=None):
        child = _child(request.user, child_pk)
        data = ConsentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consent = consents.consent_record(actor=request.user, child=child, **data.validated_data)
        return Response(ConsentSerializer(consent).data, status=status.HTTP_201_CREATED)

    def _consent(self, child_pk, pk) -> GuardianConsent:
        _child_obj, consents_of_child = self._consents(child_pk)
        try:
            return consents_of_child.select_related("child").get(pk=pk)
        except GuardianConsent.DoesNotExist:
            raise exceptions.NotFound() from None

    @extend_schema(summary="Record the withdrawal of a consent (dated; the consent stays on record)",
                   request=ConsentWithdrawSerializer, responses=ConsentSerializer)
    def withdraw(self, request, child_pk=None, pk=None):
        consent = self._consent(child_pk, pk)
        data = ConsentWithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consent = consents.consent_withdraw(actor=request.user, consent=consent, **data.validated_data)
        return Response(ConsentSerializer(consent).data)

    @extend_schema(summary="Download the scan of a signed consent (audited)", request=None,
                   responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def document(self, request, child_pk=None, pk=None):
        consent = self._consent(child_pk, pk)
        if not consent.document:
            raise exceptions.NotFound()
        try:
            handle = consent.document.open("rb")
        except FileNotFoundError:
            raise exceptions.NotFound() from None
        consents.consent_document_opened(actor=request.user, consent=consent)
        return FileResponse(handle, as_attachment=True, filename=consent.document.name.rsplit("/", 1)[-1])
