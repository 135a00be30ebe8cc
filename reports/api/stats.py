"""``GET /api/v1/stats/?region=<code>&month=YYYY-MM``: a region subtree's monthly figures and the same
per direct sub-region, from reports.stats.region_stats (the contract's keys plus a few more).

Who may ask for what: federation staff, viewers and admins, for a region in their OWN subtree
(``Region.objects.manageable_by``) — not an ancestor, whose figures would include other counties —
so anything else is a 404; volunteers get 403. Bad input is a 400 naming the field: ``region``
(not a 12-digit code), ``month`` (missing, malformed or in the future). Without ``region`` the
caller's own region is meant.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Region
from accounts.regioncodes import is_valid_code
from accounts.roles import REGION_ROLES
from reports import months, stats


class IsRegionRole(BasePermission):
    message = gettext_lazy("The statistics are for federation staff and leaders.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and (user.is_superuser or user.role in REGION_ROLES))


def stats_request(*, user, region_code: str | None, month: str | None) -> tuple[Region, date]:
    """Check the query: returns (region, first day of the month). A 400 names the bad fields; a
    region outside the user's own subtree (or unknown) is a 404."""
    errors = {}
    code = (region_code or "").strip() or (user.region_id or "")
    if not code:
        errors["region"] = [_("Enter the 12-digit region code.")]
    elif not is_valid_code(code):
        errors["region"] = [_("A region code is 12 digits (统计用区划代码), e.g. 141102000000.")]
    try:
        first_day = months.parse_month(month)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise exceptions.ValidationError(errors)
    region = Region.objects.manageable_by(user).filter(pk=code).first()
    if region is None:
        raise exceptions.NotFound(_("The region does not exist or is outside your area."))
    return region, first_day


# --- the response's shape, for the OpenAPI schema --------------------------------------------------

def _counts(name: str, keys) -> serializers.Serializer:
    fields = {key: serializers.IntegerField() for key in keys}
    return type(name, (serializers.Serializer,), fields)()


class RegionRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()


class FiguresSerializer(serializers.Serializer):
    children_active = serializers.IntegerField(help_text="Active at the month's end (today for the current month)")
    children_by_category = _counts("ChildrenByCategory", stats.CATEGORIES)
    children_by_risk = _counts("ChildrenByRisk", stats.RISK_KEYS)
    children_paired = serializers.IntegerField(help_text="Of the active, with an active lead on the month's end")
    pairing_rate = serializers.FloatField(help_text="children_paired / children_active, 0..1 (0 without children)")
    children_without_activity = serializers.IntegerField()
    volunteers_active = serializers.IntegerField()
    volunteers_paired = serializers.IntegerField()
    activities = serializers.IntegerField()
    activities_by_kind = _counts("ActivitiesByKind", stats.KINDS)
    participant_times = serializers.IntegerField(help_text="人次 of the month's activities")
    aid_value_yuan = serializers.DecimalField(max_digits=14, decimal_places=2)
    trainings = serializers.IntegerField()
    training_participant_times = serializers.IntegerField()
    children_new = serializers.IntegerField()
    children_exited = serializers.IntegerField()
    children_by_status = _counts("ChildrenByStatus", stats.STATUSES)
    volunteers_new = serializers.IntegerField()
    monthly_coverage = serializers.FloatField(help_text="1 - children_without_activity / children_active")
    paired_children_without_activity = serializers.IntegerField()
    paired_monthly_coverage = serializers.FloatField(help_text="月月有活动: share of the paired active children "
                                                               "with an activity in the month")
    overdue_by_color = _counts("OverdueByColor", stats.RISK_KEYS)
    needs_opened = serializers.IntegerField()
    needs_fulfilled = serializers.IntegerField()


class SubregionFiguresSerializer(FiguresSerializer):
    region = RegionRefSerializer()
    own_level = serializers.BooleanField(help_text="Records registered at the parent region itself")


class StatsSerializer(FiguresSerializer):
    region = RegionRefSerializer()
    month = serializers.CharField()
    as_of = serializers.DateField(help_text="The day status figures are taken on")
    subregions = SubregionFiguresSerializer(many=True)


class StatsView(APIView):
    permission_classes = [IsRegionRole]

    @extend_schema(
        summary="A region subtree's figures for a month, and the same per direct sub-region",
        parameters=[
            OpenApiParameter("region", str, description="12-digit region code in the caller's own subtree "
                                                        "(default: the caller's region)"),
            OpenApiParameter("month", str, required=True, description="YYYY-MM, not in the future"),
        ],
        responses=StatsSerializer,
    )
    def get(self, request):
        region, month = stats_request(user=request.user, region_code=request.query_params.get("region"),
                                      month=request.query_params.get("month"))
        response = Response(stats.region_stats(region=region, month=month))
        response["Cache-Control"] = "private, max-age=0"
        return response
