from django.contrib.auth import authenticate
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services, twofactor
from accounts.api.serializers import (
    MeSerializer,
    RegionSerializer,
    TokenRequestSerializer,
    TokenSerializer,
    UserSerializer,
    UserUpdateSerializer,
)
from accounts.models import Region, User
from core.access import MANAGE, READ, SIGNED_IN, api_roles
from core.compression import no_compression
from core.openapi import LOCKED_OUT
from core.regioncodes import subtree_q
from core.regions import validate_code
from volunteers.services import volunteer_create_login


@no_compression  # a new API token: never compressed (BREACH, core.compression)
class TokenView(APIView):
    """Exchange a user name and password for an API token (`Authorization: Token <token>`). A token
    expires after TOKEN_IDLE_STAFF (caring mothers: TOKEN_IDLE_VOLUNTEER) unused; each use renews it.
    The roles in OTP_REQUIRED_ROLES (default: administrators) also send `otp`, the code of their
    authenticator app or a recovery code; a wrong one counts toward the lockout like a wrong password."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=TokenRequestSerializer, responses={
        200: TokenSerializer, 429: LOCKED_OUT,
        401: OpenApiResponse(description="The role needs its second factor: `{otp_required: true, otp: [why]}` "
                                         "until `otp` (an authenticator code or a recovery code) is right")})
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # The Django request, not DRF's wrapper, so django-axes can count failures and lock out.
        user = authenticate(request._request, username=data.validated_data["username"],
                            password=data.validated_data["password"])
        if user is None:
            raise exceptions.ValidationError({"non_field_errors": [_("Wrong user name or password.")]})
        if twofactor.otp_required(user):
            refused = _check_otp(request, user, data.validated_data.get("otp", ""))
            if refused is not None:
                return Response({"otp_required": True, "otp": [refused]}, status=status.HTTP_401_UNAUTHORIZED)
        # The current token, or a new one when it expired unused (accounts.tokens).
        token = services.token_for(user=user)
        return Response({"token": token.key})


def _check_otp(request, user, code: str) -> str | None:
    """The second factor of a token login (accounts.twofactor): None when the code is right, else why not
    (answered 401 with ``otp_required``). A wrong or replayed code is a failed login to django-axes (the
    Django request, as for the password), which locks out at the limit (429)."""
    if not twofactor.has_device(user):
        return _("Your role requires two-factor login: set it up on the web first (My settings → Two-factor "
                 "login), then send its code as otp.")
    if not twofactor.normalise(code):
        return _("Your role requires two-factor login: send the 6-digit code of your authenticator app (or a "
                 "recovery code) as otp.")
    if services.otp_verify(user=user, code=code) is None:
        twofactor.count_failure(request._request, user.username)
        return _("The two-factor code (otp) is wrong or has expired.")
    return None


class MeView(APIView):
    permission_classes = [api_roles(SIGNED_IN)]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


def _region_or_none(code: str) -> Region | None:
    return Region.objects.filter(pk=validate_code(code, field="region")).first()


class UserFilter(filters.FilterSet):
    region = filters.CharFilter(method="filter_region", label=_("region (subtree)"))
    role = filters.ChoiceFilter(choices=User._meta.get_field("role").choices)
    is_active = filters.BooleanFilter()

    class Meta:
        model = User
        fields = ["region", "role", "is_active"]

    def filter_region(self, queryset, name, value):
        return queryset.filter(subtree_q("region", validate_code(value, field="region")))


class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Users in the administrator's region subtree. Deactivate instead of delete."""

    permission_classes = [api_roles(MANAGE)]
    filterset_class = UserFilter

    def get_queryset(self):
        return (User.objects.visible_to(self.request.user).select_related("region", "volunteer")
                .order_by("region_id", "username"))

    def get_serializer_class(self):
        return UserUpdateSerializer if self.action in ("update", "partial_update") else UserSerializer

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        volunteer = (data.get("volunteer") or {}).get("pk")
        if volunteer is not None:
            # A caring mother's login: volunteers.services checks she is visible and lives in that region.
            user = volunteer_create_login(actor=request.user, volunteer=volunteer, username=data["username"],
                                          password=data["password"], region_code=data["region_id"])
        else:
            user = services.user_create(
                actor=request.user, username=data["username"], password=data["password"], role=data["role"],
                region=_region_or_none(data["region_id"]), name=data.get("name", ""), phone=data.get("phone", ""),
            )
        return Response(UserSerializer(user).data, status=status.HTTP_201_CREATED)

    @transaction.atomic
    def update(self, request, *args, **kwargs):
        user = self.get_object()
        serializer = self.get_serializer(user, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if "password" in data:
            services.user_set_password(actor=request.user, user=user, password=data["password"])
        user = services.user_update(
            actor=request.user, user=user, role=data.get("role"),
            region=_region_or_none(data["region_id"]) if "region_id" in data else None,
            name=data.get("name"), phone=data.get("phone"),
        )
        return Response(UserSerializer(user).data)

    @extend_schema(request=None, responses=UserSerializer)
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        user = services.user_deactivate(actor=request.user, user=self.get_object())
        return Response(UserSerializer(user).data)

    @extend_schema(request=None, responses=UserSerializer)
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        user = services.user_reactivate(actor=request.user, user=self.get_object())
        return Response(UserSerializer(user).data)


class RegionFilter(filters.FilterSet):
    parent = filters.CharFilter(method="filter_parent", label=_("parent region code"))
    level = filters.ChoiceFilter(choices=Region._meta.get_field("level").choices)
    search = filters.CharFilter(field_name="name", lookup_expr="contains", label=_("name contains"))

    class Meta:
        model = Region
        fields = ["parent", "level", "search"]

    def filter_parent(self, queryset, name, value):
        return queryset.filter(parent_id=validate_code(value, field="parent"))


class RegionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                    viewsets.GenericViewSet):
    """The region tree: the caller's subtree and its ancestors. Admins may add townships and villages."""

    serializer_class = RegionSerializer
    # Federation roles read the tree around them (not caring mothers: no addresses on the phone);
    # administrators add to it.
    permission_classes = [api_roles(READ, MANAGE)]
    filterset_class = RegionFilter
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"

    def get_queryset(self):
        return Region.objects.visible_to(self.request.user).order_by("code")

    def get_object(self):
        return get_object_or_404(self.get_queryset(), code=self.kwargs["code"])

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        region = services.region_create(actor=request.user, code=serializer.validated_data["code"],
                                        name=serializer.validated_data["name"])
        return Response(RegionSerializer(region).data, status=status.HTTP_201_CREATED)
