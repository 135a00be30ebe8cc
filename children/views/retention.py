"""The "upcoming anonymisations" page (即将匿名化) and its hold / release buttons (children.retention,
volunteers.retention).

Staff and administrators only (403 for the other roles). The lists read through the scoped querysets;
a hold or release of a record outside the caller's subtree is a 404. The page runs a fixed number of
queries, whatever the number of rows (tests/children/test_retention.py)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from children import retention
from children.models import Child
from children.services import EDIT_MESSAGE
from core.access import EDIT, require
from volunteers import retention as volunteer_retention
from volunteers.models import Volunteer

PAGE_SIZE = 50


def _page(request, *, errors: dict | None = None, status: int = 200):
    today = timezone.localdate()
    user = request.user
    # Queries: the count and one page of each list, with regions and who holds them.
    children = Paginator(retention.children_upcoming(user, today=today), PAGE_SIZE).get_page(request.GET.get("page"))
    volunteers = Paginator(volunteer_retention.volunteers_upcoming(user, today=today),
                           PAGE_SIZE).get_page(request.GET.get("vpage"))
    errors = errors or {}
    for child in children:
        child.due_on = retention.due_on(child.exited_on)
        child.days_left = (child.due_on - today).days
        child.error = errors.get(("child", child.pk), "")
    for volunteer in volunteers:
        volunteer.due_on = retention.due_on(volunteer.left_on)
        volunteer.days_left = (volunteer.due_on - today).days
        volunteer.error = errors.get(("volunteer", volunteer.pk), "")
    return render(request, "children/retention.html", {
        "children": children, "volunteers": volunteers, "days": settings.RETENTION_NOTICE_DAYS,
        "years": settings.RETENTION_YEARS_AFTER_EXIT, "today": today,
    }, status=status)


@require(EDIT, EDIT_MESSAGE)
@require_safe
def retention_list(request):
    """Exited children and caring mothers who left, anonymised within RETENTION_NOTICE_DAYS, soonest first."""
    return _page(request)


def _act(request, kind: str, record, action, success: str):
    try:
        action()
    except ValidationError as exc:
        message = " ".join(exc.messages)
        return _page(request, errors={(kind, record.pk): message}, status=400)
    messages.success(request, success)
    return redirect("children:retention")


@require(EDIT, EDIT_MESSAGE)
@require_POST
def child_hold(request, pk: int):
    child = get_object_or_404(Child.objects.visible_to(request.user), pk=pk)
    return _act(request, "child", child,
                lambda: retention.child_retention_hold(actor=request.user, child=child,
                                                       reason=request.POST.get("reason", "")),
                _("The record of %(name)s is kept from anonymisation.") % {"name": child.name})


@require(EDIT, EDIT_MESSAGE)
@require_POST
def child_release(request, pk: int):
    child = get_object_or_404(Child.objects.visible_to(request.user), pk=pk)
    return _act(request, "child", child, lambda: retention.child_retention_release(actor=request.user, child=child),
                _("The hold on the record of %(name)s is released.") % {"name": child.name})


@require(EDIT, EDIT_MESSAGE)
@require_POST
def volunteer_hold(request, pk: int):
    volunteer = get_object_or_404(Volunteer.objects.visible_to(request.user), pk=pk)
    return _act(request, "volunteer", volunteer,
                lambda: volunteer_retention.volunteer_retention_hold(actor=request.user, volunteer=volunteer,
                                                                     reason=request.POST.get("reason", "")),
                _("The record of %(name)s is kept from anonymisation.") % {"name": volunteer.name})


@require(EDIT, EDIT_MESSAGE)
@require_POST
def volunteer_release(request, pk: int):
    volunteer = get_object_or_404(Volunteer.objects.visible_to(request.user), pk=pk)
    return _act(request, "volunteer", volunteer,
                lambda: volunteer_retention.volunteer_retention_release(actor=request.user, volunteer=volunteer),
                _("The hold on the record of %(name)s is released.") % {"name": volunteer.name})
