"""Report runs over the API (/api/v1/reports/): ask for a report (202 with the queued run), follow it,
list them, download the file.

Runs outside the caller's region subtree are 404; volunteers get 403, and so do read-only leaders
asking for a report (they read and download them); bad input is a 400 naming the field, from
reports.services.report_request (nothing is created)."""

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from core import months
from core.access import EDIT, READ, allowed, api_roles
from reports import services
from reports.access import REPORTS_DENIED, REPORTS_MAKE_DENIED
from reports.models import ReportFormat, ReportRun, ReportStatus
from reports.storage import CONTENT_TYPES


class ReportRoles(api_roles(READ, EDIT)):
    """Federation staff, leaders and admins (core.access.READ) read and download reports; only staff
    and admins (core.access.EDIT) ask for them. The others get 403 with the reason."""

    message = REPORTS_DENIED

    def has_permission(self, request, view) -> bool:
        admitted = super().has_permission(request, view)
        if not admitted and allowed(request.user, self.read):  # a read-only leader asking for a report
            self.message = REPORTS_MAKE_DENIED
        return admitted


class AnyFileRenderer(BaseRenderer):
    """Lets a client ask for the file with any Accept header (application/pdf …); errors stay JSON."""

    media_type = "*/*"
    format = "file"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else JSONRenderer().render(data)


class ReportRequestSerializer(serializers.Serializer):
    region = serializers.CharField(required=False, allow_blank=True,
                                   help_text="12-digit region code (统计用区划代码) in the caller's subtree")
    month = serializers.CharField(required=False, allow_blank=True,
                                  help_text="YYYY-MM; the current month gives the figures so far")
    submission = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                          help_text="In place of region and month: the id of a monthly submission in the "
                                                 "caller's subtree; its report adds the written part, the sign-off and "
                                                 "the comparison with last month and last year")
    format = serializers.CharField(help_text="pdf or xlsx")


class ReportAcceptedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ReportStatus.choices)


class ReportRunSerializer(serializers.ModelSerializer):
    region = serializers.CharField(source="region_id", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    region_level = serializers.CharField(source="region.level", read_only=True)
    month = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportRun
        fields = ["id", "region", "region_name", "region_level", "month", "submission", "format", "status", "status_label",
                  "progress", "error", "download_url", "created_at", "started_at", "finished_at", "attempts"]
        read_only_fields = fields

    def get_month(self, run: ReportRun) -> str:
        return months.label(run.month)

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_download_url(self, run: ReportRun) -> str | None:
        """The file's address once the run is done, else null."""
        if not run.has_file:
            return None
        url = reverse("report-download", args=[run.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


@extend_schema_view(
    list=extend_schema(summary="Report runs of regions in the caller's subtree, newest first"),
    retrieve=extend_schema(summary="One report run: status, progress (0..100), error, download_url when done"),
)
class ReportRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [ReportRoles]
    serializer_class = ReportRunSerializer
    filter_backends: list = []

    def get_queryset(self):
        return (ReportRun.objects.visible_to(self.request.user).select_related("region")
                .order_by("-created_at", "-id"))

    @extend_schema(
        summary="Ask for the monthly report of a region (made in the background)",
        request=ReportRequestSerializer,
        responses={202: ReportAcceptedSerializer,
                   400: OpenApiResponse(description="Bad region, month, submission or format"),
                   404: OpenApiResponse(description="Region or submission outside the caller's subtree")},
    )
    def create(self, request):
        data = ReportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        given = data.validated_data
        run = services.report_request(actor=request.user, region_code=given.get("region", ""),
                                      month=given.get("month", ""), format=given["format"],
                                      submission=given.get("submission"))
        return Response({"id": run.pk, "status": run.status}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="Download a done report (PDF or Excel; audited)",
                   responses={(200, CONTENT_TYPES[ReportFormat.PDF]): OpenApiTypes.BINARY,
                              (200, CONTENT_TYPES[ReportFormat.XLSX]): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="download", url_name="download",
            renderer_classes=[JSONRenderer, AnyFileRenderer])
    def download(self, request, pk=None):
        run = self.get_object()
        handle, filename, content_type = services.report_download(actor=request.user, run=run)
        return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
