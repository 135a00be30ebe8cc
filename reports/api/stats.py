"""``GET /api/v1/stats/?region=<code>&month=YYYY-MM``: a region subtree's monthly figures and the same
per direct sub-region, from reports.stats.region_stats (the contract's keys plus a few more).

Who may ask for what: federation staff, viewers and admins (core.access.READ; volunteers get 403),
for a region in their OWN subtree — not an ancestor, whose figures would include other counties — so
anything else is a 404. Bad input is a 400 naming the field: ``region`` (not a 12-digit code),
``month`` (missing, malformed or in the future), checked as the dashboard checks them
(reports.stats_query). Without ``region`` the caller's own region is meant.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.access import READ, api_roles
from core.dbrouting import reading_from_replica
from reports import stats
from reports.access import STATS_DENIED
from reports.stats_query import stats_query


class StatsRoles(api_roles(READ)):
    """Federation staff, leaders and admins (core.access.READ); volunteers get 403 with the reason."""

    message = STATS_DENIED


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
    permission_classes = [StatsRoles]

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
        user = request.user
        code = (request.query_params.get("region") or "").strip() or user.region_id
        with reading_from_replica():  # the database replica when there is one (core.dbrouting)
            try:
                region, month = stats_query(user=user, region_code=code, month=request.query_params.get("month"))
            except Http404:
                raise exceptions.NotFound(_("The region does not exist or is outside your area.")) from None
            figures = stats.region_stats(region=region, month=month)
        response = Response(figures)
        response["Cache-Control"] = "private, max-age=0"
        return response
