"""Training sessions (赋能培训): the list (region and date range), the create form with its attendee
picker (caring mothers in scope, narrowed by region, team or name), and the training's page."""

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core.access import EDIT, READ, allowed, require
from core.forms import attach_service_errors
from core.regioncodes import is_valid_code, subtree_q
from core.regions import region_options
from volunteers import services
from volunteers.access import READ_ONLY, STAFF_ONLY
from volunteers.forms import AttendeePickerForm, TrainingForm
from volunteers.models import Training, Volunteer, VolunteerStatus
from volunteers.phones import shown_phone

PAGE_SIZE = 50
# The attendee picker lists at most this many caring mothers; narrow it by region, team or name.
PICKER_LIMIT = 300


def _date_param(request, name: str) -> date | None:
    try:
        return parse_date(request.GET.get(name, "").strip())
    except ValueError:
        return None


@require(READ, STAFF_ONLY)
@require_safe
def training_list(request):
    user = request.user
    trainings = Training.objects.visible_to(user).select_related("region").annotate(n_attendees=Count("attendees"))
    region = request.GET.get("region", "").strip()
    if region and is_valid_code(region):
        trainings = trainings.filter(subtree_q("region", region))
    start, end = _date_param(request, "from"), _date_param(request, "to")
    if start:
        trainings = trainings.filter(held_on__gte=start)
    if end:
        trainings = trainings.filter(held_on__lte=end)
    page = Paginator(trainings.order_by("-held_on", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "volunteers/training_list.html", {
        "page": page, "region": region, "region_options": region_options(user, selected=region),
        "start": start, "end": end, "can_edit": allowed(user, EDIT),
    })


def _candidates(request, picker: AttendeePickerForm, posted: list[int]) -> tuple[list[Volunteer], bool]:
    """Active caring mothers in scope matching the picker (at most PICKER_LIMIT), plus any already ticked."""
    scoped = Volunteer.objects.visible_to(request.user).select_related("team", "region")
    listed = list(picker.filter(scoped.filter(status=VolunteerStatus.ACTIVE)).order_by("name", "id")[:PICKER_LIMIT + 1])
    truncated = len(listed) > PICKER_LIMIT
    listed = listed[:PICKER_LIMIT]
    missing = set(posted) - {v.pk for v in listed}
    if missing:
        listed = list(scoped.filter(pk__in=missing).order_by("name", "id")) + listed
    return listed, truncated


@require(EDIT, READ_ONLY)
def training_create(request):
    user = request.user
    picker = AttendeePickerForm(request.GET, actor=user)
    posted = []
    if request.method == "POST":
        try:
            posted = [int(v) for v in request.POST.getlist("attendees")]
        except ValueError:
            posted = []
    candidates, truncated = _candidates(request, picker, posted)
    form = TrainingForm(request.POST or None, actor=user, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            training = services.training_create(
                actor=user, title=data["title"], held_on=data["held_on"], region=data["region"],
                attendees=data["attendees"], participants=data["participants"], topic=data["topic"],
                organiser=data["organiser"])
        except ValidationError as exc:
            attach_service_errors(exc, form)
        else:
            messages.success(request, _("The training “%(title)s” is recorded.") % {"title": training.title})
            return redirect("volunteers:training-detail", pk=training.pk)
    return render(request, "volunteers/training_form.html", {
        "form": form, "picker": picker, "truncated": truncated, "picker_limit": PICKER_LIMIT,
        "query": request.GET.urlencode(),
    }, status=400 if form.errors else 200)


@require(READ, STAFF_ONLY)
@require_safe
def training_detail(request, pk: int):
    user = request.user
    training = get_object_or_404(Training.objects.visible_to(user).select_related("region", "created_by"), pk=pk)
    attendees = list(Volunteer.objects.visible_to(user).filter(trainings=training).select_related("region", "team")
                     .order_by("name", "id"))
    for volunteer in attendees:
        volunteer.phone_shown = shown_phone(user, volunteer.phone)
    listed_total = training.attendees.count()
    return render(request, "volunteers/training_detail.html", {
        "training": training, "region_path": training.region.path_name(), "attendees": attendees,
        "hidden_attendees": listed_total - len(attendees),
    })
