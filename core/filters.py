"""Strict query filters for the API: a value the filter cannot read is a 400 naming the parameter,
never silently ignored (``?volunteer=0.5``, ``?active=maybe``).

- :class:`IntegerFilter`: an id or a count — a whole number, documented as ``integer``;
- :class:`StrictFilterBackend` (REST_FRAMEWORK's DEFAULT_FILTER_BACKENDS): django-filter's backend,
  which already answers 400 for what the filter's form field refuses (a malformed date, an unknown
  choice, a non-number), plus what the form lets through: a boolean filter given anything
  but ``true`` or ``false`` (django-filter reads that as "no filter"), and an empty value of a filter
  that is not free text (``?held_on_before=``, ``?child=``: django-filter reads that as "no filter"
  too).
"""

from django import forms
from django_filters import filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

# What both of django-filter's boolean widgets (the API's and the pages' NullBooleanSelect) read.
BOOLEAN_VALUES = frozenset({"true", "false", "True", "False"})
# REST framework's own messages, already translated.
BLANK = serializers.CharField.default_error_messages["blank"]
NOT_BOOLEAN = serializers.BooleanField.default_error_messages["invalid"]


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(filters.NumberFilter):
    """A whole number (``?actor=12``); anything else is a 400 naming the parameter."""

    field_class = forms.IntegerField


def _parameters(name: str, filter_) -> list[str]:
    """The query parameters a filter reads: its name, or one per suffix for a range
    (``held_on_after``, ``held_on_before``)."""
    suffixes = getattr(filter_.field_class.widget, "suffixes", None)
    if suffixes:
        return [f"{name}_{suffix}" if suffix else name for suffix in suffixes]
    return [name]


class StrictFilterBackend(DjangoFilterBackend):
    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        errors = {}
        if not filterset.is_valid():
            errors = {name: [str(message) for message in messages] for name, messages in filterset.errors.items()}
        params = request.query_params
        for name in list(errors):
            # A range's error is its form field's (``held_on``): name the parameters the client sent.
            filter_ = filterset.filters.get(name)
            parameters = _parameters(name, filter_) if filter_ is not None else [name]
            if parameters != [name]:
                messages = errors.pop(name)
                for parameter in [p for p in parameters if p in params] or parameters:
                    errors[parameter] = messages
        for name, filter_ in filterset.filters.items():
            for parameter in _parameters(name, filter_):
                values = params.getlist(parameter)
                if not isinstance(filter_, filters.CharFilter) and "" in values:
                    # Only free text may be empty: ``?held_on_before=`` is not a date.
                    errors.setdefault(parameter, []).append(str(BLANK))
                elif isinstance(filter_, filters.BooleanFilter) and any(v not in BOOLEAN_VALUES for v in values):
                    errors.setdefault(parameter, []).append(str(NOT_BOOLEAN))
        if errors:
            raise serializers.ValidationError(errors)
        return filterset.qs
