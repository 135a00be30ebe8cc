"""The activity ledger (活动台账): the filtered, paginated list and an activity's page (its Excel export
is a job of the exports app).

For federation staff, viewers and admins (core.access.READ; volunteers have their phone pages). Every
read goes through ``Activity.objects.visible_to(request.user)``: an activity outside the user's subtree
is a 404.
"""

from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from activities.filters import ActivityFilter
from activities.forms import PhotoForm
from activities.models import Activity, ActivityChild, ActivityKind, CareService
from activities.services import can_edit_activity
from children.models import Child
from core.access import READ, require
from core.regions import region_options
from volunteers.models import Volunteer

PAGE_SIZE = 50
# Children named in a ledger row; a group activity shows the first few and how many more.
NAMED_CHILDREN = 4


def service_labels(values) -> list[str]:
    return [CareService(v).label for v in values if v in CareService.values]


def ledger_rows(queryset):
    """The ledger's rows with what each shows, in a fixed number of queries: the page JOIN volunteer
    with the number of children (a subquery), and the first children's names (one windowed query)."""
    child_count = (ActivityChild.objects.filter(activity=OuterRef("pk")).order_by().values("activity")
                   .annotate(n=Count("pk")).values("n"))
    first_children = ActivityChild.objects.select_related("child").only("activity_id", "child__name").order_by("id")
    return (queryset.select_related("volunteer")
            .annotate(child_count=Coalesce(Subquery(child_count), 0))
            .prefetch_related(Prefetch("child_links", queryset=first_children[:NAMED_CHILDREN],
                                       to_attr="first_links")))


@require(READ)
@require_safe
def activity_list(request):
    user = request.user
    filterset = ActivityFilter(request.GET or None, queryset=ledger_rows(Activity.objects.visible_to(user)))
    errors = []
    if filterset.is_bound and not filterset.is_valid():
        rows = Activity.objects.none()
        errors = [message for messages in filterset.form.errors.values() for message in messages]
    else:
        rows = filterset.qs
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for activity in page:
        activity.service_labels = service_labels(activity.services)
        activity.more_children = activity.child_count - len(activity.first_links)

    values = filterset.form.cleaned_data if filterset.is_bound and not errors else {}
    return render(request, "activities/activity_list.html", {
        "page": page,
        "values": request.GET,
        "errors": errors,
        "kind_choices": ActivityKind.choices,
        "region_options": region_options(user, selected=request.GET.get("region", "").strip()),
        "filtered_volunteer": Volunteer.objects.visible_to(user).filter(pk=values["volunteer"]).first()
        if values.get("volunteer") else None,
        "filtered_child": Child.objects.visible_to(user).filter(pk=values["child"]).first()
        if values.get("child") else None,
        "can_edit": user.can_edit,
    })


def detail_queryset(user):
    return Activity.objects.visible_to(user).select_related("volunteer", "region", "created_by").prefetch_related(
        Prefetch("child_links", queryset=ActivityChild.objects.select_related("child", "child__region")
                 .order_by("child__name", "id")),
        "co_volunteers", "photos")


def render_detail(request, activity: Activity, *, photo_form: PhotoForm | None = None, status: int = 200):
    user = request.user
    editable = can_edit_activity(user, activity)
    return render(request, "activities/activity_detail.html", {
        "activity": activity,
        "service_labels": service_labels(activity.services),
        "region_path": activity.region.path_name(),
        "can_edit": editable,
        "photo_form": (photo_form or PhotoForm()) if editable else None,
    }, status=status)


@require(READ)
@require_safe
def activity_detail(request, pk):
    return render_detail(request, get_object_or_404(detail_queryset(request.user), pk=pk))
