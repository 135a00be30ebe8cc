"""What the exports share (core.exports): a list's filters given wrongly are a ValidationError keyed by
the query parameter — from a FilterSet or from a plain filter form alike. Exercised on a small
FilterSet and a form over regions; the export jobs themselves are tested in tests/exports/."""

import django_filters
import pytest
from django import forms

from accounts.models import Region, RegionLevel
from core.exports import filter_errors, form_errors

pytestmark = pytest.mark.django_db


class RegionFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=RegionLevel.choices)
    name = django_filters.CharFilter(lookup_expr="contains")

    class Meta:
        model = Region
        fields = ["level", "name"]


class RegionFilterForm(forms.Form):
    level = forms.ChoiceField(choices=RegionLevel.choices, required=False)


def test_filter_errors_are_keyed_by_filter():
    filterset = RegionFilter({"level": "galaxy"}, queryset=Region.objects.none())
    assert not filterset.is_valid()
    assert list(filter_errors(filterset).message_dict) == ["level"]


def test_filter_errors_keep_the_fields_message():
    filterset = RegionFilter({"level": "galaxy"}, queryset=Region.objects.none())
    filterset.is_valid()
    assert filter_errors(filterset).message_dict["level"] == filterset.form.errors["level"]


def test_form_errors_are_keyed_by_field():
    form = RegionFilterForm({"level": "galaxy"})
    assert not form.is_valid()
    assert list(form_errors(form).message_dict) == ["level"]
