"""Query filters of the roster API: teams, caring mothers and trainings."""

from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _lazy
from django_filters import rest_framework as filters

from core.filters import IntegerFilter
from core.regioncodes import subtree_q
from core.regions import validate_code
from volunteers.models import Sector, Skill, Team, Training, Volunteer, VolunteerStatus

REGION_LABEL = _lazy("Region (with everything below it)")


def in_subtree(queryset, value: str):
    """The rows of the region ``value`` and below it; a malformed code is a 400 naming ``region``."""
    return queryset.filter(subtree_q("region", validate_code(value, field="region")))


class TeamFilter(filters.FilterSet):
    region = filters.CharFilter(method="filter_region", label=REGION_LABEL)
    search = filters.CharFilter(field_name="name", lookup_expr="contains", label=_lazy("Name contains"))

    class Meta:
        model = Team
        fields = ["region", "search"]

    def filter_region(self, queryset, name, value):
        return in_subtree(queryset, value)


class VolunteerFilter(filters.FilterSet):
    region = filters.CharFilter(method="filter_region", label=REGION_LABEL)
    team = IntegerFilter(field_name="team_id", label=_lazy("Team"))
    status = filters.ChoiceFilter(choices=VolunteerStatus.choices, label=_lazy("Status"))
    sector = filters.ChoiceFilter(choices=Sector.choices, label=_lazy("Sector"))
    skill = filters.ChoiceFilter(choices=Skill.choices, method="filter_skill", label=_lazy("Skill"))
    has_capacity = filters.BooleanFilter(
        method="filter_has_capacity",
        label=_lazy("true: active, with room for another child as lead; false: leading as many as her capacity"))
    search = filters.CharFilter(method="filter_search", label=_lazy("Name or mobile number contains"))

    class Meta:
        model = Volunteer
        fields = ["region", "team", "status", "sector", "skill", "has_capacity", "search"]

    def filter_region(self, queryset, name, value):
        return in_subtree(queryset, value)

    def filter_skill(self, queryset, name, value):
        return queryset.filter(**{f"skill_{value}": True})

    def filter_has_capacity(self, queryset, name, value):
        # ``active_leads`` is annotated by Volunteer.objects.with_load() in the view's queryset.
        if value:
            return queryset.filter(status=VolunteerStatus.ACTIVE, active_leads__lt=F("capacity"))
        return queryset.filter(active_leads__gte=F("capacity"))

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__contains=value) | Q(phone__contains=value))


class TrainingFilter(filters.FilterSet):
    region = filters.CharFilter(method="filter_region", label=REGION_LABEL)
    held_on = filters.DateFromToRangeFilter(label=_lazy("Held between (held_on_after, held_on_before)"))
    attendee = IntegerFilter(field_name="attendees", label=_lazy("Attended by this caring mother (id)"))

    class Meta:
        model = Training
        fields = ["region", "held_on", "attendee"]

    def filter_region(self, queryset, name, value):
        return in_subtree(queryset, value)
