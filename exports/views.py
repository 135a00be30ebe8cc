"""The export pages: asking for an export from a list page's button (POST, then the job's page), the
job's page (status, a progress bar kept current by static/exports/progress.js polling
/api/v1/exports/<id>/, or a refresh every few seconds without JavaScript, then the download link),
"my exports", and the download itself (audited, the file's Chinese name sent RFC 5987-encoded).

Rules live in exports.services; every page is for core.access.READ (caring mothers are sent to their
phone pages); an export is its requester's only — anyone else's is a 404."""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe

from core.access import READ, require
from exports import selectors, services
from exports.kinds import KINDS
from exports.models import ExportRun, ExportStatus

PAGE_SIZE = 30
# Seconds between reloads of a job's page without JavaScript, while the file is being made.
REFRESH_SECONDS = 3


@require(READ, services.EXPORT_DENIED)
@require_safe
def export_list(request):
    """The user's own exports, newest first. Queries: the count, then one page of runs."""
    page = Paginator(selectors.exports_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "exports/export_list.html", {"page": page, "statuses": ExportStatus})


@require(READ, services.EXPORT_DENIED)
@require_POST
def export_create(request, kind: str):
    """A list page's "Export Excel" button: the list's filters are the query string of this address (the
    page's own); the job is queued and its page shown. A wrong filter: a 400 page naming it."""
    if kind not in KINDS:
        raise Http404
    try:
        run = services.export_request(actor=request.user, kind=kind, filters=request.GET)
    except ValidationError as exc:
        return render(request, "exports/export_error.html", {
            "errors": exc.message_dict, "back": KINDS[kind].list_url}, status=400)
    return redirect("exports:detail", pk=run.pk)


@require(READ, services.EXPORT_DENIED)
@require_safe
def export_detail(request, pk: int):
    run = get_object_or_404(selectors.exports_of(request.user), pk=pk)
    return render(request, "exports/export_detail.html", {
        "run": run, "statuses": ExportStatus, "list_url": KINDS[run.kind].list_url,
        "filters": selectors.filter_labels(run), "refresh_seconds": REFRESH_SECONDS,
    })


@require(READ, services.EXPORT_DENIED)
@require_safe
def export_download(request, pk: int):
    run = get_object_or_404(selectors.exports_of(request.user), pk=pk)
    try:
        handle, filename, content_type = services.export_download(actor=request.user, run=run)
    except ExportRun.DoesNotExist:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
