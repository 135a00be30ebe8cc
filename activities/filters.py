"""The activity ledger's filters, shared by the staff pages, the API and the Excel export."""

import django_filters as filters
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, ActivityChild, ActivityKind
from core.filters import IntegerFilter
from core.regioncodes import is_valid_code, subtree_q
from core.regions import CODE_MESSAGE

CoVolunteer = Activity.co_volunteers.through


def validate_region_code(value: str) -> None:
    """The filter's validator: core.regions' check and message, as a field error."""
    if not is_valid_code(value):
        raise ValidationError(CODE_MESSAGE)


class ActivityFilter(filters.FilterSet):
    region = filters.CharFilter(method="filter_region", label=_("Region (with everything below it)"),
                                validators=[validate_region_code])
    occurred_after = filters.DateFilter(field_name="occurred_on", lookup_expr="gte", label=_("From (date)"))
    occurred_before = filters.DateFilter(field_name="occurred_on", lookup_expr="lte", label=_("To (date)"))
    kind = filters.ChoiceFilter(choices=ActivityKind.choices, label=_("Kind"))
    volunteer = IntegerFilter(method="filter_volunteer",
                                     label=_("Caring mother (who recorded it or took part)"))
    child = IntegerFilter(method="filter_child", label=_("Child"))
    follow_up = filters.BooleanFilter(label=_("Needs follow-up"))
    is_group = filters.BooleanFilter(label=_("Group activity"))

    class Meta:
        model = Activity
        fields = ["region", "occurred_after", "occurred_before", "kind", "volunteer", "child", "follow_up",
                  "is_group"]

    def filter_region(self, queryset, name, value):
        return queryset.filter(subtree_q("region", value))

    def filter_volunteer(self, queryset, name, value):
        # EXISTS rather than a join: a join on the co-volunteers would repeat activities.
        took_part = CoVolunteer.objects.filter(activity_id=OuterRef("pk"), volunteer_id=value)
        return queryset.filter(Q(volunteer_id=value) | Q(Exists(took_part)))

    def filter_child(self, queryset, name, value):
        return queryset.filter(Exists(ActivityChild.objects.filter(activity_id=OuterRef("pk"), child_id=value)))
