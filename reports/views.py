"""The report pages: the list of runs in scope, the request form, a run's page (progress shown live by
static/reports/progress.js polling /api/v1/reports/<id>/ every 2 s, then the download link) and the
download itself (scope-checked, audited, the file's Chinese name sent RFC 5987-encoded).

Rules live in reports.services; every page is for core.access.READ (volunteers get 403) but asking
for a report, which is for core.access.EDIT (read-only leaders download reports, they do not make
them); a run outside the caller's subtree is a 404."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Region
from core import months
from core.access import EDIT, READ, allowed, require
from core.errors import messages_of
from core.forms import attach_service_errors
from core.regions import region_options
from core.widgets import region_filter_widget
from reports import services
from reports.access import REPORTS_DENIED, REPORTS_MAKE_DENIED
from reports.models import ReportFormat, ReportRun, ReportStatus
from submissions.models import Submission

PAGE_SIZE = 50


class ReportRequestForm(forms.Form):
    """The shape of a request; whether it may be made is reports.services.report_request's to judge."""

    region = forms.CharField(label=_lazy("Region"), max_length=12)
    month = forms.CharField(label=_lazy("Month"), max_length=7,
                            widget=forms.DateInput(attrs={"type": "month", "placeholder": _lazy("e.g. 2025-03")}),
                            help_text=_lazy("The current month gives the figures so far."))
    format = forms.ChoiceField(label=_lazy("Format"), choices=ReportFormat.choices, initial=ReportFormat.PDF,
                               widget=forms.RadioSelect)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # The user's region and two levels below it, but no villages (which have no report).
        # A select while they fit, else the search picker (core.widgets), which posts the code the same way.
        self.fields["region"].widget = region_filter_widget(region_options(user, levels=services.REPORT_LEVELS),
                                                            with_province=not user.region_id)
        self.fields["region"].initial = user.region_id
        self.fields["month"].initial = months.label(months.previous_month(months.current_month()))


@require(READ, message=REPORTS_DENIED)
@require_safe
def report_list(request):
    user = request.user
    runs = ReportRun.objects.visible_to(user).select_related("region", "requested_by").order_by("-created_at", "-id")
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/report_list.html", {"page": page, "can_make": allowed(user, EDIT)})


@require(EDIT, message=REPORTS_MAKE_DENIED)
@require_http_methods(["GET", "POST"])
def report_request(request):
    user = request.user
    form = ReportRequestForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            run = services.report_request(actor=user, region_code=data["region"], month=data["month"],
                                          format=data["format"])
        except Region.DoesNotExist:
            raise Http404 from None
        except ValidationError as exc:
            attach_service_errors(exc, form)
        else:
            messages.success(request, _("The report is being made; this page shows its progress."))
            return redirect("reports:detail", pk=run.pk)
    return render(request, "reports/report_form.html", {"form": form}, status=400 if form.errors else 200)


@require(EDIT, message=REPORTS_MAKE_DENIED)
@require_POST
def report_regenerate(request, pk: int):
    """Make a run's report again, as a new run (the old one and its file stay)."""
    user = request.user
    old = get_object_or_404(ReportRun.objects.visible_to(user), pk=pk)
    try:
        run = services.report_request(actor=user, region_code=old.region_id, month=old.month, format=old.format,
                                      submission=old.submission_id)
    except (Region.DoesNotExist, Submission.DoesNotExist):
        raise Http404 from None
    except ValidationError as exc:
        for error in messages_of(exc):
            messages.error(request, error)
        return redirect("reports:detail", pk=old.pk)
    return redirect("reports:detail", pk=run.pk)


@require(READ, message=REPORTS_DENIED)
@require_safe
def report_detail(request, pk: int):
    user = request.user
    run = get_object_or_404(ReportRun.objects.visible_to(user).select_related("region", "requested_by"), pk=pk)
    return render(request, "reports/report_detail.html", {
        "run": run, "region_path": run.region.path_name(), "finished": run.is_finished,
        "statuses": ReportStatus, "can_make": allowed(user, EDIT),
    })


@require(READ, message=REPORTS_DENIED)
@require_safe
def report_download(request, pk: int):
    user = request.user
    run = get_object_or_404(ReportRun.objects.visible_to(user).select_related("region"), pk=pk)
    try:
        handle, filename, content_type = services.report_download(actor=user, run=run)
    except ReportRun.DoesNotExist:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
