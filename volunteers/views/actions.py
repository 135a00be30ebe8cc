"""Her page's POST actions: deactivate or reactivate, open her login, reserve helpers, recognition.

Each is for editors only (core.access.EDIT; others get a 403), loads the caring mother through the
user's scope (404 outside it), hands the form's data to volunteers.services, and on a
ValidationError re-renders her page with the errors on the form (400); on success it redirects back
to her page with a message (deactivation shows, instead, the children who now need a new lead).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import EDIT, require
from core.forms import attach_service_errors
from volunteers import services
from volunteers.access import READ_ONLY
from volunteers.forms import (
    HelperRemoveForm,
    LoginForm,
    RecognitionForm,
    ReserveHelperForm,
    StatusForm,
)
from volunteers.models import ReserveHelper, Volunteer, VolunteerStatus
from volunteers.views.roster import detail_queryset, render_detail


def _volunteer_for_action(request, pk: int) -> Volunteer:
    return get_object_or_404(Volunteer.objects.visible_to(request.user), pk=pk)


def _failed(request, pk: int, key: str, form, **extra):
    """Re-render her page, freshly loaded (the failed write was rolled back), with the form's errors."""
    volunteer = get_object_or_404(detail_queryset(request.user), pk=pk)
    return render_detail(request, volunteer, forms={key: form}, open_form=key, status=400, **extra)


def _run(request, pk: int, key: str, form, action, success: str):
    """Validate ``form``, call ``action(data)``; redirect with ``success`` or re-render with the errors."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except ValidationError as exc:
            attach_service_errors(exc, form)
        else:
            messages.success(request, success)
            return redirect("volunteers:detail", pk=pk)
    return _failed(request, pk, key, form)


@require(EDIT, READ_ONLY)
@require_POST
def volunteer_status(request, pk: int):
    volunteer = _volunteer_for_action(request, pk)
    form = StatusForm(request.POST, volunteer=volunteer)
    if form.is_valid():
        data = form.cleaned_data
        try:
            needing_lead = services.volunteer_set_status(actor=request.user, volunteer=volunteer,
                                                         status=form.to_status, effective_on=data["effective_on"],
                                                         reason=data["reason"])
        except ValidationError as exc:
            attach_service_errors(exc, form)
        else:
            if form.to_status == VolunteerStatus.ACTIVE:
                messages.success(request, _("%(name)s is active again.") % {"name": volunteer.name})
                return redirect("volunteers:detail", pk=pk)
            prefetch_related_objects(needing_lead, "region")
            return render(request, "volunteers/volunteer_deactivated.html", {
                "volunteer": volunteer, "effective_on": data["effective_on"], "needing_lead": needing_lead,
            })
    return _failed(request, pk, "status", form)


@require(EDIT, READ_ONLY)
@require_POST
def volunteer_create_login(request, pk: int):
    volunteer = _volunteer_for_action(request, pk)
    form = LoginForm(request.POST)

    def action(data):
        services.volunteer_create_login(actor=request.user, volunteer=volunteer, username=data["username"],
                                        password=data["password"])

    return _run(request, pk, "login", form, action,
                _("%(name)s can now log in as “%(username)s”.")
                % {"name": volunteer.name, "username": form.data.get("username", "").strip()})


@require(EDIT, READ_ONLY)
@require_POST
def helper_add(request, pk: int):
    volunteer = _volunteer_for_action(request, pk)
    form = ReserveHelperForm(request.POST)

    def action(data):
        services.reserve_helper_add(actor=request.user, volunteer=volunteer, name=data["name"],
                                    phone=data["phone"].strip(), specialty=data["specialty"],
                                    added_on=data["added_on"])

    return _run(request, pk, "helper", form, action, _("The reserve helper is added."))


@require(EDIT, READ_ONLY)
@require_POST
def helper_remove(request, pk: int):
    helper = get_object_or_404(
        ReserveHelper.objects.filter(volunteer__in=Volunteer.objects.visible_to(request.user)), pk=pk)
    form = HelperRemoveForm(request.POST)
    if form.is_valid():
        try:
            services.reserve_helper_remove(actor=request.user, helper=helper,
                                           removed_on=form.cleaned_data["removed_on"])
        except ValidationError as exc:
            attach_service_errors(exc, form)
        else:
            messages.success(request, _("%(name)s is no longer a reserve helper.") % {"name": helper.name})
            return redirect("volunteers:detail", pk=helper.volunteer_id)
    return _failed(request, helper.volunteer_id, "helper_remove", form, failed_helper=helper.pk)


@require(EDIT, READ_ONLY)
@require_POST
def recognition_create(request, pk: int):
    volunteer = _volunteer_for_action(request, pk)
    form = RecognitionForm(request.POST)

    def action(data):
        services.recognition_create(actor=request.user, volunteer=volunteer, kind=data["kind"], title=data["title"],
                                    awarded_on=data["awarded_on"], reason=data["reason"])

    return _run(request, pk, "recognition", form, action, _("The recognition is recorded."))
