"""The urgent-report pages: the staff list (open first) and an alert's page with acknowledge / close,
the staff report form (from the child's page), and the caring mother's report form on her phone
(/m/children/<pk>/alert/, routed in activities.phone.urls).

Staff pages are for core.access.READ (volunteers are sent to their phone pages); acting is checked by
alerts.services (a read-only leader gets a 403 saying why). An alert or child outside the caller's
scope is a 404. The phone form is taken over by static/phone/app.js: its UUID is made on the phone when
the form opens, and the report (with its optional photo) goes through the phone's offline queue to the
API, like a visit. Without JavaScript the form posts here (the UUID then made when the form was shown: a
double tap or a resent form is one report). An alert's photo is served by :func:`alert_photo` to those
who can see the alert (404 otherwise).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from alerts import selectors, services
from alerts.forms import AlertCloseForm, AlertReportForm
from alerts.models import Alert, AlertPhoto, AlertStatus
from children.models import Child
from children.names import given_name
from core.access import EDIT, PHONE, READ, SIGNED_IN, allowed, require
from core.errors import messages_of
from core.forms import attach_service_errors

PAGE_SIZE = 25
PHONE_ONLY = gettext_lazy("These pages are for caring-mother volunteers.")


@require(READ)
@require_safe
def alert_list(request):
    """Alerts of the caller's subtree, open first, numbered pages; ``?status=`` narrows it."""
    alerts = selectors.alerts_for(request.user)
    status = request.GET.get("status", "")
    if status in AlertStatus.values:
        alerts = alerts.filter(status=status)
    # Queries: the count, then one page with child, region and reporter joined.
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "alerts/alert_list.html", {
        "page": page, "status": status, "status_choices": AlertStatus.choices,
    })


@require(READ)
@require_safe
def alert_detail(request, pk):
    alert = get_object_or_404(selectors.alerts_for(request.user).select_related("acknowledged_by", "closed_by",
                                                                                  "photo"), pk=pk)
    return render(request, "alerts/alert_detail.html", {
        "alert": alert, "can_act": allowed(request.user, EDIT), "close_form": AlertCloseForm(),
    })


@require(SIGNED_IN)
@require_safe
def alert_photo(request, pk):
    """The photo of an alert the caller can see (a caring mother: her own report's); else a 404."""
    found = get_object_or_404(AlertPhoto.objects.filter(alert__in=Alert.objects.visible_to(request.user)),
                              alert_id=pk)
    response = FileResponse(found.image.open("rb"), content_type="image/jpeg")
    response["Content-Disposition"] = f'inline; filename="alert-photo-{found.alert_id}.jpg"'
    # The browser may keep it for the session's pages; shared caches may not keep it at all.
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _alert_or_404(request, pk) -> Alert:
    return get_object_or_404(Alert.objects.visible_to(request.user), pk=pk)


@require(EDIT, message=services.EDIT_DENIED)
@require_POST
def alert_acknowledge(request, pk):
    alert = _alert_or_404(request, pk)
    try:
        services.alert_acknowledge(actor=request.user, alert=alert)
    except ValidationError as exc:
        for message in messages_of(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("Acknowledged: you are dealing with this urgent report."))
    return redirect("alerts:detail", pk=alert.pk)


@require(EDIT, message=services.EDIT_DENIED)
@require_POST
def alert_close(request, pk):
    alert = _alert_or_404(request, pk)
    form = AlertCloseForm(request.POST)
    if form.is_valid():
        try:
            services.alert_close(actor=request.user, alert=alert, outcome=form.cleaned_data["outcome"])
        except ValidationError as exc:
            attach_service_errors(exc, form)
        else:
            messages.success(request, _("The urgent report is closed."))
            return redirect("alerts:detail", pk=alert.pk)
    alert = get_object_or_404(selectors.alerts_for(request.user).select_related("acknowledged_by", "closed_by"),
                              pk=pk)
    return render(request, "alerts/alert_detail.html", {"alert": alert, "can_act": True, "close_form": form},
                  status=400)


def _report(request, *, child: Child, template: str, context: dict, done):
    """The report form for ``child`` (GET shows it, POST reports through alerts.services)."""
    if request.method == "POST":
        form = AlertReportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                # One outcome: a photo refused (too large, not an image …) leaves no report behind, and
                # the form comes back with the photo's error to send again.
                with transaction.atomic():
                    alert, created = services.alert_report(
                        actor=request.user, id=data["id"], child=child, kind=data["kind"],
                        description=data["description"], occurred_on=data["occurred_on"])
                    if data["photo"] is not None and (created or not AlertPhoto.objects.filter(alert=alert).exists()):
                        services.alert_photo_add(actor=request.user, alert=alert, upload=data["photo"])
            except ValidationError as exc:
                attach_service_errors(exc, form)
            except services.AlertConflict as exc:
                form.add_error(None, str(exc))
            except Child.DoesNotExist:
                raise Http404 from None
            else:
                messages.success(request, _("Reported: the federation staff have been told."))
                return done(alert)
    else:
        form = AlertReportForm(initial={"occurred_on": timezone.localdate()})
    return render(request, template, {**context, "form": form, "child": child},
                  status=400 if form.errors else 200)


@require(EDIT, message=services.REPORT_DENIED)
@require_http_methods(["GET", "POST"])
def alert_report(request, child_pk: int):
    """报告紧急情况 from the staff child page."""
    child = get_object_or_404(Child.objects.visible_to(request.user), pk=child_pk)
    return _report(request, child=child, template="alerts/alert_report.html", context={},
                   done=lambda alert: redirect("alerts:detail", pk=alert.pk))


@require(PHONE, message=PHONE_ONLY)
@ensure_csrf_cookie
@require_http_methods(["GET", "POST"])
def phone_report(request, pk: int):
    """报告紧急情况 on the caring mother's phone: a child she is paired with now (else 404)."""
    from activities.phone.views import phone_config

    child = get_object_or_404(Child.objects.visible_to(request.user), pk=pk)
    child.given_name = given_name(child.name)
    return _report(request, child=child, template="phone/alert.html",
                   context={"phone_config": phone_config(request.user)},
                   done=lambda alert: redirect("phone:child", pk=child.pk))
