"""Query filters of the pairings API."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_filters import rest_framework as filters

from accounts.regioncodes import is_valid_code, subtree_q
from pairing.models import Pairing, PairingRole


class PairingFilter(filters.FilterSet):
    child = filters.NumberFilter(field_name="child_id", label=_lazy("Child"))
    volunteer = filters.NumberFilter(field_name="volunteer_id", label=_lazy("Caring mother"))
    role = filters.ChoiceFilter(choices=PairingRole.choices, label=_lazy("Role"))
    active = filters.BooleanFilter(field_name="ended_on", lookup_expr="isnull", label=_lazy("Not ended"))
    region = filters.CharFilter(method="filter_region", label=_lazy("Child's region (with everything below it)"))

    class Meta:
        model = Pairing
        fields = ["child", "volunteer", "role", "active", "region"]

    def filter_region(self, queryset, name, value):
        if not is_valid_code(value):
            raise ValidationError({"region": _("A region code is 12 digits (统计用区划代码), e.g. 141102000000.")})
        return queryset.filter(subtree_q("child__region", value))
