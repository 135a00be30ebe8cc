"""Volunteer teams (志愿服务队) and work stations (爱心妈妈工作站): lists per region with member
counts (one aggregate query per page), and the create forms beside them."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core.access import EDIT, READ, allowed, require
from core.forms import attach_service_errors
from core.regioncodes import is_valid_code, subtree_q
from core.regions import region_options
from volunteers import services
from volunteers.access import READ_ONLY, STAFF_ONLY
from volunteers.forms import StationForm, TeamForm
from volunteers.models import Team, VolunteerStatus, WorkStation

PAGE_SIZE = 50


def _with_members(queryset):
    active = Q(members__status=VolunteerStatus.ACTIVE)
    return queryset.annotate(n_members=Count("members", filter=active), n_all=Count("members"))


def _page(request, queryset):
    region = request.GET.get("region", "").strip()
    if region and is_valid_code(region):
        queryset = queryset.filter(subtree_q("region", region))
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page")), region


def _render_teams(request, form=None, *, status: int = 200):
    user = request.user
    can_edit = allowed(user, EDIT)
    teams = _with_members(Team.objects.visible_to(user).select_related("region")).order_by("region_id", "name")
    page, region = _page(request, teams)
    return render(request, "volunteers/team_list.html", {
        "page": page, "region": region, "region_options": region_options(user, selected=region),
        "can_edit": can_edit, "form": form or (TeamForm(actor=user) if can_edit else None),
    }, status=status)


@require(READ, STAFF_ONLY)
@require_safe
def team_list(request):
    return _render_teams(request)


@require(EDIT, READ_ONLY)
@require_POST
def team_create(request):
    form = TeamForm(request.POST, actor=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            team = services.team_create(actor=request.user, name=data["name"], region=data["region"],
                                        created_on=data["created_on"], notes=data["notes"])
        except ValidationError as exc:
            attach_service_errors(exc, form)
        else:
            messages.success(request, _("The team %(name)s is created.") % {"name": team.name})
            return redirect("volunteers:team-list")
    return _render_teams(request, form, status=400)


def _render_stations(request, form=None, *, status: int = 200):
    user = request.user
    can_edit = allowed(user, EDIT)
    stations = _with_members(WorkStation.objects.visible_to(user).select_related("region")) \
        .order_by("region_id", "name")
    page, region = _page(request, stations)
    return render(request, "volunteers/station_list.html", {
        "page": page, "region": region, "region_options": region_options(user, selected=region),
        "can_edit": can_edit, "form": form or (StationForm(actor=user) if can_edit else None),
    }, status=status)


@require(READ, STAFF_ONLY)
@require_safe
def station_list(request):
    return _render_stations(request)


@require(EDIT, READ_ONLY)
@require_POST
def station_create(request):
    form = StationForm(request.POST, actor=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            station = services.station_create(actor=request.user, name=data["name"], region=data["region"],
                                              address=data["address"], opened_on=data["opened_on"])
        except ValidationError as exc:
            attach_service_errors(exc, form)
        else:
            messages.success(request, _("The work station %(name)s is created.") % {"name": station.name})
            return redirect("volunteers:station-list")
    return _render_stations(request, form, status=400)
