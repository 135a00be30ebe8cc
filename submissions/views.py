"""The submission pages: a region's month (月度报送: write the sections, pick the 审核人, send it; its
figures, frozen or live, with the changes since it was sent) and the level above's 报送进度 (each
sub-region's state, with return and accept).

Every page is for core.access.READ (volunteers are sent to their phone pages); writing, sending,
returning and accepting are checked by submissions.services (a read-only leader, or a county's staff on
a township's page, gets a 403 saying why). A region outside the caller's subtree is a 404; a malformed
region or month is a 400 naming it.
"""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import Region
from core import months
from core.access import EDIT, READ, allowed, require
from core.errors import messages_of
from core.forms import attach_service_errors
from core.regions import breadcrumbs, chosen_region
from reports import services as report_services
from reports.access import REPORTS_MAKE_DENIED
from reports.models import ReportFormat
from submissions import selectors, services
from submissions.forms import SubmissionForm
from submissions.models import RECEIVING_LEVELS, SUBMISSION_LEVELS, Submission, SubmissionStatus

KEY_LABELS = {
    "children_active": gettext_lazy("Active children"),
    "children_paired": gettext_lazy("Paired"),
    "pairing_rate": gettext_lazy("Pairing rate"),
    "monthly_coverage": gettext_lazy("Monthly coverage"),
    "activities": gettext_lazy("Care activities"),
    "participant_times": gettext_lazy("Person-times"),
    "aid_value_yuan": gettext_lazy("Aid value (yuan)"),
}


def _month(request) -> object:
    """The month asked for (``?month=YYYY-MM``), by default the last complete month."""
    value = request.GET.get("month", "").strip()
    if not value:
        return months.previous_month(months.current_month())
    return months.parse_month(value)


def _page_url(name: str, region: Region | str, month) -> str:
    code = region.code if isinstance(region, Region) else region
    return f"{reverse(name)}?region={code}&month={months.label(month)}"


def _shown(key: str, value, figures: dict) -> str:
    """A figure as the page shows it: a rate as a percentage, — without anyone to divide by (a region
    without active, or paired, children: docs/glossary.md)."""
    if key in selectors.RATES:
        if not figures.get("children_active"):
            return "—"
        return f"{float(value or 0) * 100:.1f}%"
    return str(value)


def _signed(key: str, delta) -> str:
    if key in selectors.RATES:
        text = f"{float(delta) * 100:+.1f}%"
    elif key == "aid_value_yuan":
        text = delta if str(delta).startswith("-") else f"+{delta}"
    else:
        text = f"{int(delta):+d}"
    return text


def key_rows(shown) -> list[dict]:
    """The key figures as the page's table shows them: the value, and for a sent submission the live
    value and the change since it was sent."""
    rows = []
    for key, label in KEY_LABELS.items():
        row = {"key": key, "label": label, "value": _shown(key, shown.figures.get(key, 0), shown.figures)}
        if shown.frozen:
            delta = shown.since.get(key, 0)
            row.update(live=_shown(key, shown.live.get(key, 0), shown.live), moved=Decimal(str(delta)) != 0,
                       since=_signed(key, delta))
        rows.append(row)
    return rows


@require(READ, message=services.READ_DENIED)
@require_http_methods(["GET", "POST"])
def submission_month(request):
    """A region's submission for a month: the caller's own region by default, the last complete month."""
    user = request.user
    region = chosen_region(user, request.GET.get("region"))
    month = _month(request)
    submission = (Submission.objects.visible_to(user).filter(region=region, month=month)
                  .select_related("prepared_by", "reviewed_by", "submitted_by", "returned_by", "accepted_by")
                  .first())
    sends = region.level in SUBMISSION_LEVELS
    can_write = sends and services.may_write(user, region.code) and (submission is None or submission.is_editable)
    form = SubmissionForm(request.POST if request.method == "POST" else None, region=region, submission=submission,
                          user=user)
    status = 200
    if request.method == "POST":
        services.check_writer(user, region)  # a read-only leader, or the level above: 403 with the reason
        sending = request.POST.get("action") == "submit"
        if form.is_valid():
            try:
                submission, _created = services.submission_get_or_create_draft(actor=user, region=region, month=month)
                services.submission_update(actor=user, submission=submission, **form.service_fields())
            except ValidationError as exc:
                attach_service_errors(exc, form)
            else:
                if not sending:
                    messages.success(request, _("The draft is saved."))
                    return redirect(_page_url("submissions:month", region, month))
                try:
                    services.submission_submit(actor=user, submission=submission)
                except ValidationError as exc:
                    attach_service_errors(exc, form)
                    messages.warning(request, _("The draft is saved, but it was not sent: see the fields marked below."))
                else:
                    messages.success(request, _("Sent up: its figures are frozen as of now."))
                    return redirect(_page_url("submissions:month", region, month))
        status = 400
        submission = Submission.objects.filter(region=region, month=month).first() or submission
    shown = selectors.submission_figures(region=region, month=month, submission=submission)
    parent_progress = ""
    if submission is not None and services.is_above(user, region.code) and region.parent_id:
        parent_progress = _page_url("submissions:progress", region.parent_id, month)
    response = render(request, "submissions/month.html", {
        "region": region,
        "month": month,
        "month_label": months.label(month),
        "month_ended": month < months.current_month(),
        "submission": submission,
        "history": submission.status_changes.select_related("actor") if submission is not None else [],
        "sends": sends,
        "can_write": can_write,
        "form": form,
        "shown": shown,
        "key_rows": key_rows(shown),
        "rows": [{**row, "pairing_percent": _shown("pairing_rate", row.get("pairing_rate"), row),
                  "coverage_percent": _shown("monthly_coverage", row.get("monthly_coverage"), row)}
                 for row in shown.figures.get("subregions", [])],
        "progress_url": _page_url("submissions:progress", region, month) if region.level in RECEIVING_LEVELS else "",
        "parent_progress": parent_progress,
        "crumbs": breadcrumbs(user, region),
        "crumbs_query": f"&month={months.label(month)}",
        "previous_month": months.label(months.previous_month(month)),
        "next_month": months.label(months.next_month(month)) if not months.is_current(month) else "",
        "statuses": SubmissionStatus,
        "can_make_report": submission is not None and allowed(user, EDIT)
        and region.level in report_services.REPORT_LEVELS,
        "report_formats": ReportFormat.choices,
    }, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


@require(READ, message=services.READ_DENIED)
@require_safe
def submission_progress(request):
    """报送进度: the month's state of every direct sub-region that sends a submission."""
    user = request.user
    region = chosen_region(user, request.GET.get("region"))
    month = _month(request)
    rows = selectors.submission_progress(region=region, month=month)
    for row in rows:
        row.can_review = (row.status == SubmissionStatus.SUBMITTED and services.may_review(user, row.submission))
        row.url = _page_url("submissions:month", row.region, month)
    counts = {status: sum(1 for row in rows if row.status == status)
              for status in (*SubmissionStatus.values, selectors.NOT_STARTED)}
    response = render(request, "submissions/progress.html", {
        "region": region,
        "month": month,
        "month_label": months.label(month),
        "rows": rows,
        "counts": counts,
        "own_url": _page_url("submissions:month", region, month),
        "crumbs": breadcrumbs(user, region),
        "crumbs_query": f"&month={months.label(month)}",
        "previous_month": months.label(months.previous_month(month)),
        "next_month": months.label(months.next_month(month)) if not months.is_current(month) else "",
        "statuses": SubmissionStatus,
        "not_started": selectors.NOT_STARTED,
    })
    response["Cache-Control"] = "private, no-store"
    return response


def _after_review(submission: Submission) -> str:
    parent = submission.region.parent_id or submission.region_id
    return _page_url("submissions:progress", parent, submission.month)


@require(EDIT, message=services.EDIT_DENIED)
@require_POST
def submission_return(request, pk: int):
    user = request.user
    submission = get_object_or_404(Submission.objects.visible_to(user).select_related("region"), pk=pk)
    try:
        services.submission_return(actor=user, submission=submission, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        for error in messages_of(exc):
            messages.error(request, f"{submission.region.name}：{error}")
    else:
        messages.success(request, _("%(region)s's submission was returned.") % {"region": submission.region.name})
    return redirect(_after_review(submission))


@require(EDIT, message=services.EDIT_DENIED)
@require_POST
def submission_accept(request, pk: int):
    user = request.user
    submission = get_object_or_404(Submission.objects.visible_to(user).select_related("region"), pk=pk)
    try:
        services.submission_accept(actor=user, submission=submission)
    except ValidationError as exc:
        for error in messages_of(exc):
            messages.error(request, f"{submission.region.name}：{error}")
    else:
        messages.success(request, _("%(region)s's submission was accepted.") % {"region": submission.region.name})
    return redirect(_after_review(submission))


@require(EDIT, message=REPORTS_MAKE_DENIED)
@require_POST
def submission_report(request, pk: int):
    """生成 PDF / Excel: queue the report of a submission (its cover, written part, sign-off, comparisons
    and figures: reports.generator) and follow it on the report's page."""
    user = request.user
    submission = get_object_or_404(Submission.objects.visible_to(user).select_related("region"), pk=pk)
    try:
        run = report_services.report_request(actor=user, submission=submission, format=request.POST.get("format", ""))
    except (Region.DoesNotExist, Submission.DoesNotExist):
        raise Http404 from None
    except ValidationError as exc:
        for error in messages_of(exc):
            messages.error(request, error)
        return redirect(_page_url("submissions:month", submission.region, submission.month))
    messages.success(request, _("The report is being made; this page shows its progress."))
    return redirect("reports:detail", pk=run.pk)
