"""Monthly submissions over the API (/api/v1/submissions/): start or find a month's draft, read and change
it, send it up, and — for the level above — return or accept it; the progress of a month's sub-regions.

Everything calls submissions.services, as the pages do. Submissions and regions outside the caller's
subtree are 404; volunteers get 403, and so do read-only leaders asking to change anything; a rule that
refuses the request (a missing section, a 审核人 equal to the 填报人, a month not ended, a submission
already sent …) is a 400 naming the field; someone who is not the level above returning or accepting
is a 403 saying why.
"""

from django.http import Http404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Region
from core import months
from core.access import EDIT, READ, allowed, api_roles
from core.regions import chosen_region
from core.security import no_store
from submissions import selectors, services
from submissions.api.serializers import (
    SubmissionCreateSerializer,
    SubmissionProgressRowSerializer,
    SubmissionProgressSerializer,
    SubmissionReturnSerializer,
    SubmissionSerializer,
    SubmissionUpdateSerializer,
)
from submissions.models import Submission

OUT_OF_AREA = gettext_lazy("The region does not exist or is outside your area.")


class SubmissionRoles(api_roles(READ, EDIT)):
    """Federation staff, leaders and admins (core.access.READ) read; staff and admins (core.access.EDIT)
    write, send, return and accept (the services say which of them may, for which submission)."""

    message = services.READ_DENIED

    def has_permission(self, request, view) -> bool:
        admitted = super().has_permission(request, view)
        if not admitted and allowed(request.user, self.read):  # a read-only leader asking for a change
            self.message = services.EDIT_DENIED
        return admitted


def _submission_response(pk: int, *, code: int = status.HTTP_200_OK) -> Response:
    submission = (Submission.objects.select_related("region", "prepared_by", "reviewed_by")
                  .prefetch_related("status_changes__actor").get(pk=pk))
    return Response(SubmissionSerializer(submission).data, status=code)


@extend_schema_view(
    retrieve=extend_schema(summary="One monthly submission: written sections, sign-off, status, frozen figures"),
)
@no_store
class SubmissionViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [SubmissionRoles]
    serializer_class = SubmissionSerializer
    filter_backends: list = []
    pagination_class = None

    def get_queryset(self):
        return (Submission.objects.visible_to(self.request.user)
                .select_related("region", "prepared_by", "reviewed_by")
                .prefetch_related("status_changes__actor"))

    @extend_schema(
        summary="Start the draft of a region's month, or get the submission it already has",
        request=SubmissionCreateSerializer,
        responses={201: SubmissionSerializer, 200: SubmissionSerializer,
                   404: OpenApiResponse(description="Region outside the caller's subtree")},
    )
    def create(self, request):
        data = SubmissionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            submission, created = services.submission_get_or_create_draft(
                actor=request.user, region=data.validated_data["region"], month=data.validated_data["month"])
        except Region.DoesNotExist:
            raise exceptions.NotFound(OUT_OF_AREA) from None
        return _submission_response(submission.pk, code=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(summary="Change a draft or returned submission's written sections and sign-off",
                   request=SubmissionUpdateSerializer, responses=SubmissionSerializer)
    def partial_update(self, request, pk=None):
        submission = self.get_object()
        data = SubmissionUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.submission_update(actor=request.user, submission=submission, **data.validated_data)
        return _submission_response(submission.pk)

    @extend_schema(summary="Send the submission up (报送): its figures are frozen",
                   request=None, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        submission = self.get_object()
        services.submission_submit(actor=request.user, submission=submission)
        return _submission_response(submission.pk)

    @extend_schema(summary="Return a submitted submission to its region with a reason (the level above only)",
                   request=SubmissionReturnSerializer, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        submission = self.get_object()
        data = SubmissionReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.submission_return(actor=request.user, submission=submission, reason=data.validated_data["reason"])
        return _submission_response(submission.pk)

    @extend_schema(summary="Accept a submitted submission (the level above only)", request=None,
                   responses=SubmissionSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        submission = self.get_object()
        services.submission_accept(actor=request.user, submission=submission)
        return _submission_response(submission.pk)

    @extend_schema(
        summary="报送进度: every direct sub-region's submission of a month, with its status and sending",
        parameters=[
            OpenApiParameter("region", str, description="12-digit region code in the caller's own subtree "
                                                        "(default: the caller's region)"),
            OpenApiParameter("month", str, required=True, description="YYYY-MM, not in the future"),
        ],
        request=None,
        responses=SubmissionProgressSerializer,
    )
    @action(detail=False, methods=["get"])
    def progress(self, request):
        user = request.user
        params = request.query_params
        month = months.parse_month(params.get("month"))
        try:
            region = chosen_region(user, params.get("region"))
        except Http404:
            raise exceptions.NotFound(OUT_OF_AREA) from None
        rows = selectors.submission_progress(region=region, month=month)
        return Response({"region": region.code, "region_name": region.name, "month": months.label(month),
                         "subregions": SubmissionProgressRowSerializer(rows, many=True).data})
