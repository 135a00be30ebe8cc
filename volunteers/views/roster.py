"""The roster pages: the filtered list of caring mothers, her page, and the create and edit forms.

Every read goes through ``Volunteer.objects.visible_to(request.user)``, so a caring mother outside
the user's subtree is a 404; every write goes through volunteers.services.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.access import EDIT, READ, allowed, require
from core.forms import attach_service_errors
from pairing.models import Pairing
from volunteers import services
from volunteers.access import READ_ONLY, STAFF_ONLY
from volunteers.forms import (
    HelperRemoveForm,
    LoginForm,
    RecognitionForm,
    ReserveHelperForm,
    RosterFilterForm,
    StatusForm,
    VolunteerForm,
)
from volunteers.models import (
    Recognition,
    ReserveHelper,
    Training,
    Volunteer,
    VolunteerStatus,
    VolunteerStatusChange,
)
from volunteers.phones import shown_phone

PAGE_SIZE = 50


# --- the roster -----------------------------------------------------------------------------------

@require(READ, STAFF_ONLY)
@require_safe
def volunteer_list(request):
    user = request.user
    volunteers = Volunteer.objects.visible_to(user).with_load().select_related("region", "team")
    form = RosterFilterForm(request.GET or None, actor=user)
    rows = form.filter(volunteers) if form.is_bound else volunteers
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for volunteer in page:
        volunteer.phone_shown = shown_phone(user, volunteer.phone)
        volunteer.is_full = volunteer.active_leads >= volunteer.capacity
    return render(request, "volunteers/volunteer_list.html", {
        "page": page,
        "filter_form": form,
        "more_filters_open": any(request.GET.get(k) for k in ("sector", "skill", "status", "free")),
        "can_edit": allowed(user, EDIT),
    })


# --- create and edit ------------------------------------------------------------------------------

def _record_fields(data: dict) -> dict:
    return {f: data[f] for f in ("name", "phone", "region", "sector", "skills", "capacity", "team", "station",
                                 "employer", "notes")}


@require(EDIT, READ_ONLY)
def volunteer_create(request):
    form = VolunteerForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        username = data["login_username"].strip()
        login = services.LoginData(username=username, password=data["login_password"]) if username else None
        try:
            volunteer = services.volunteer_create(actor=request.user, joined_on=data["joined_on"], login=login,
                                                  **_record_fields(data))
        except ValidationError as exc:
            attach_service_errors(exc, form)
        else:
            if login is not None:
                messages.success(request, _("%(name)s is on the roster and can log in as “%(username)s”.")
                                 % {"name": volunteer.name, "username": username})
            else:
                messages.success(request, _("%(name)s is on the roster.") % {"name": volunteer.name})
            return redirect("volunteers:detail", pk=volunteer.pk)
    return render(request, "volunteers/volunteer_form.html", {"form": form, "volunteer": None},
                  status=400 if form.errors else 200)


@require(EDIT, READ_ONLY)
def volunteer_edit(request, pk: int):
    volunteer = get_object_or_404(Volunteer.objects.visible_to(request.user).select_related("region"), pk=pk)
    form = VolunteerForm(request.POST or None, actor=request.user, volunteer=volunteer)
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_update(actor=request.user, volunteer=volunteer, **_record_fields(form.cleaned_data))
        except ValidationError as exc:
            attach_service_errors(exc, form)
        else:
            messages.success(request, _("The record of %(name)s is saved.") % {"name": volunteer.name})
            return redirect("volunteers:detail", pk=volunteer.pk)
    return render(request, "volunteers/volunteer_form.html", {"form": form, "volunteer": volunteer},
                  status=400 if form.errors else 200)


# --- her page -------------------------------------------------------------------------------------

def detail_queryset(user):
    """The caring mother with everything her page shows, in a fixed number of queries. Her trainings
    carry ``linkable``: whether the user may open the training's page (it is visible to them)."""
    visible_training = Training.objects.visible_to(user).filter(pk=OuterRef("pk"))
    return Volunteer.objects.visible_to(user).with_load().select_related("region", "team", "station", "user") \
        .prefetch_related(
            Prefetch("status_changes", queryset=VolunteerStatusChange.objects.select_related("actor")
                     .order_by("-effective_on", "-id")),
            Prefetch("reserve_helpers", queryset=ReserveHelper.objects.order_by("removed_on", "added_on", "id")),
            Prefetch("trainings", queryset=Training.objects.select_related("region")
                     .annotate(linkable=Exists(visible_training)).order_by("-held_on", "-id")),
            Prefetch("recognitions", queryset=Recognition.objects.order_by("-awarded_on", "-id")),
        )


def render_detail(request, volunteer: Volunteer, *, forms: dict | None = None, open_form: str = "",
                  failed_helper: int | None = None, status: int = 200):
    """Her page; the action views re-render it with their failing form (and status 400)."""
    user = request.user
    forms = forms or {}
    can_edit = allowed(user, EDIT)
    pairings = list(Pairing.objects.visible_to(user).filter(volunteer=volunteer)
                    .select_related("child", "child__region").order_by("-started_on", "-id"))
    helpers = list(volunteer.reserve_helpers.all())
    for helper in helpers:
        helper.phone_shown = shown_phone(user, helper.phone) if helper.phone else ""
    trainings = list(volunteer.trainings.all())
    context = {
        "volunteer": volunteer,
        "region_path": volunteer.region.path_name(),
        "phone_shown": shown_phone(user, volunteer.phone),
        "free_places": max(volunteer.capacity - volunteer.active_leads, 0),
        "status_changes": volunteer.status_changes.all(),
        "current_helpers": [h for h in helpers if h.removed_on is None],
        "past_helpers": [h for h in helpers if h.removed_on is not None],
        "trainings": trainings,
        "recognitions": volunteer.recognitions.all(),
        "current_pairings": sorted((p for p in pairings if p.ended_on is None), key=lambda p: p.role != "lead"),
        "past_pairings": [p for p in pairings if p.ended_on is not None],
        "can_edit": can_edit,
        "open_form": open_form,
        "failed_helper": failed_helper,
        "is_active": volunteer.status == VolunteerStatus.ACTIVE,
        "today": timezone.localdate(),
    }
    if can_edit:
        context.update({
            "status_form": forms.get("status") or StatusForm(volunteer=volunteer),
            "login_form": forms.get("login") or LoginForm(),
            "helper_form": forms.get("helper") or ReserveHelperForm(),
            "helper_remove_form": forms.get("helper_remove") or HelperRemoveForm(),
            "recognition_form": forms.get("recognition") or RecognitionForm(),
        })
    return render(request, "volunteers/volunteer_detail.html", context, status=status)


@require(READ, STAFF_ONLY)
@require_safe
def volunteer_detail(request, pk: int):
    volunteer = get_object_or_404(detail_queryset(request.user), pk=pk)
    return render_detail(request, volunteer)
