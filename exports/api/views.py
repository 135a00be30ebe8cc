"""Export runs over the API (/api/v1/exports/): ask for the Excel export of a list (202 with the queued
run), follow it, list one's own, download the file — as report runs (reports.api.runs).

Federation staff, leaders and administrators (core.access.READ) export; caring mothers get 403. A run
is its requester's only: anyone else's is a 404. Bad input is a 400 naming the field — ``kind``, or the
filter's query parameter under ``filters`` — and creates nothing."""

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core.access import READ, api_roles
from core.xlsx import CONTENT_TYPE
from exports import selectors, services
from exports.kinds import KINDS
from exports.models import ExportKind, ExportRun, ExportStatus
from reports.api.runs import AnyFileRenderer


class ExportRoles(api_roles(READ)):
    message = services.EXPORT_DENIED


def _filters_help() -> str:
    return "The list page's query parameters and their values (text; true/false for yes-no filters). " + "; ".join(
        f"{name}: {', '.join(spec.parameters)}" for name, spec in KINDS.items())


class ExportRequestSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ExportKind.choices, help_text="The list to export")
    filters = serializers.DictField(required=False, default=dict, help_text=_filters_help())


class ExportAcceptedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=ExportStatus.choices)


class ExportRunSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    region = serializers.CharField(source="region_id", read_only=True, allow_null=True,
                                   help_text="The requester's region when asked (null: a superuser's, every region)")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    filters = serializers.DictField(child=serializers.CharField(), read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportRun
        fields = ["id", "kind", "kind_label", "filters", "region", "status", "status_label", "progress", "rows",
                  "error", "filename", "download_url", "created_at", "started_at", "finished_at", "attempts"]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_download_url(self, run: ExportRun) -> str | None:
        """The file's address once the run is done (null before, and after the file was deleted)."""
        if not run.has_file:
            return None
        url = reverse("export-download", args=[run.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


@extend_schema_view(
    list=extend_schema(summary="The caller's own exports, newest first"),
    retrieve=extend_schema(summary="One export: status, progress (0..100), rows, error, download_url when done"),
)
class ExportRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [ExportRoles]
    serializer_class = ExportRunSerializer
    filter_backends: list = []

    def get_queryset(self):
        return selectors.exports_of(self.request.user)

    @extend_schema(
        summary="Ask for the Excel export of a list, filtered as on its page (made in the background)",
        request=ExportRequestSerializer,
        responses={202: ExportAcceptedSerializer,
                   400: OpenApiResponse(description="Unknown kind, or a filter the list does not have or "
                                                    "cannot read (named under filters)")},
        examples=[OpenApiExample("Orphans of 离石区", request_only=True,
                                 value={"kind": "children", "filters": {"region": "141102000000",
                                                                        "category": "orphan"}})],
    )
    def create(self, request):
        data = ExportRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            run = services.export_request(actor=request.user, kind=data.validated_data["kind"],
                                          filters=data.validated_data["filters"])
        except ValidationError as exc:
            return Response({"filters": exc.message_dict}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"id": run.pk, "status": run.status}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="Download a done export (.xlsx; audited)",
                   responses={(200, CONTENT_TYPE): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="download", url_name="download",
            renderer_classes=[JSONRenderer, AnyFileRenderer])
    def download(self, request, pk=None):
        run = self.get_object()
        # No file (yet, or any more): ExportRun.DoesNotExist, a 404 (config.api_errors).
        handle, filename, content_type = services.export_download(actor=request.user, run=run)
        return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
