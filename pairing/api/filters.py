"""Query filters of the pairings API."""

from django.utils.translation import gettext_lazy as _lazy
from django_filters import rest_framework as filters

from core.filters import IntegerFilter
from core.regioncodes import subtree_q
from core.regions import validate_code
from pairing.models import Pairing, PairingRole


class PairingFilter(filters.FilterSet):
    child = IntegerFilter(field_name="child_id", label=_lazy("Child"))
    volunteer = IntegerFilter(field_name="volunteer_id", label=_lazy("Caring mother"))
    role = filters.ChoiceFilter(choices=PairingRole.choices, label=_lazy("Role"))
    active = filters.BooleanFilter(field_name="ended_on", lookup_expr="isnull", label=_lazy("Not ended"))
    region = filters.CharFilter(method="filter_region", label=_lazy("Child's region (with everything below it)"))

    class Meta:
        model = Pairing
        fields = ["child", "volunteer", "role", "active", "region"]

    def filter_region(self, queryset, name, value):
        return queryset.filter(subtree_q("child__region", validate_code(value, field="region")))
