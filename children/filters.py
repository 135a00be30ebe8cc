"""The ledger's filters, shared by the staff pages, the API and the Excel export.

The API lists every child it may show (ChildFilter, as DESIGN.md's contract says); the staff ledger
and its Excel export (LedgerFilter) hide exited children unless the status filter asks for them."""

import django_filters as filters
from django.core.exceptions import ValidationError
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When
from django.utils.translation import gettext_lazy as _

from children.models import Category, Child, Need, NeedKind, NeedStatus, RiskColor, Status
from core.regioncodes import is_valid_code, subtree_q
from core.regions import CODE_MESSAGE


def validate_region_code(value: str) -> None:
    """A filter field's validator (a form field wants a message, not core.regions.validate_code's
    error keyed by field): the same check, the same message."""
    if not is_valid_code(value):
        raise ValidationError(CODE_MESSAGE)


# Severity order for sorting by risk: red first, unassessed last.
RISK_RANK = Case(When(risk_color=RiskColor.RED, then=Value(0)), When(risk_color=RiskColor.YELLOW, then=Value(1)),
                 When(risk_color=RiskColor.GREEN, then=Value(2)), default=Value(3), output_field=IntegerField())

SORTS = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "birth_date": ("birth_date", "id"),
    "-birth_date": ("-birth_date", "-id"),
    "region": ("region_id", "name", "id"),
    "risk": ("risk_rank", "next_review_on", "id"),
    "review": ("next_review_on", "id"),
    "-entered_on": ("-entered_on", "-id"),
}

# The consent filter's values (casework.models.ConsentScope): a current consent covering the scope, or
# ``missing``: none covering ``processing`` (keeping and using the child's information).
CONSENT_MISSING = "missing"


def consent_choices() -> list[tuple[str, str]]:
    from casework.models import ConsentScope

    return [(CONSENT_MISSING, _("No consent to keep the information")),
            *[(value, _("Consents to: %(scope)s") % {"scope": label}) for value, label in ConsentScope.choices]]


# The needs lists show these unless a status is chosen: the needs still waiting for help.
WAITING_NEEDS = (NeedStatus.OPEN, NeedStatus.CLAIMED)


class ChildFilter(filters.FilterSet):
    region = filters.CharFilter(method="filter_region", label=_("Region (with everything below it)"),
                                validators=[validate_region_code])
    status = filters.ChoiceFilter(choices=Status.choices, label=_("Status"))
    risk_color = filters.ChoiceFilter(choices=[*RiskColor.choices, ("none", _("Not assessed"))],
                                      method="filter_risk_color", label=_("Risk colour"))
    category = filters.ChoiceFilter(choices=Category.choices, method="filter_category", label=_("Category"))
    search = filters.CharFilter(method="filter_search", label=_("Name or last 4 digits of the ID number"))
    paired = filters.BooleanFilter(method="filter_paired", label=_("Has a lead caring mother"))
    consent = filters.ChoiceFilter(choices=consent_choices, method="filter_consent", label=_("Guardian's consent"))
    sort = filters.ChoiceFilter(choices=[(k, k) for k in SORTS], method="filter_sort", label=_("Sort"))

    class Meta:
        model = Child
        fields = ["region", "status", "risk_color", "category", "paired", "consent", "search", "sort"]

    def filter_region(self, queryset, name, value):
        return queryset.filter(subtree_q("region", value))

    def filter_risk_color(self, queryset, name, value):
        return queryset.filter(risk_color="" if value == "none" else value)

    def filter_category(self, queryset, name, value):
        return queryset.filter(**{f"is_{value}": True})

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if len(value) == 4 and (value[:3].isdigit() and (value[3].isdigit() or value[3] in "xX")):
            return queryset.filter(Q(id_number_last4=value.upper()) | Q(name__contains=value))
        return queryset.filter(name__contains=value)

    def filter_paired(self, queryset, name, value):
        from pairing.models import Pairing, PairingRole

        leads = Pairing.objects.filter(child=OuterRef("pk"), role=PairingRole.LEAD, ended_on__isnull=True)
        return queryset.filter(Exists(leads) if value else ~Exists(leads))

    def filter_consent(self, queryset, name, value: str):
        from django.utils import timezone

        from casework.models import ConsentScope, GuardianConsent

        scope = ConsentScope.PROCESSING if value == CONSENT_MISSING else value
        covering = GuardianConsent.objects.covering(scope, timezone.localdate()).filter(child=OuterRef("pk"))
        return queryset.filter(~Exists(covering) if value == CONSENT_MISSING else Exists(covering))

    def filter_sort(self, queryset, name, value):
        if value == "risk":
            queryset = queryset.annotate(risk_rank=RISK_RANK)
        return queryset.order_by(*SORTS[value])


# The ledger's status choice that shows every child, exited ones included.
ALL_STATUSES = "all"


class LedgerFilter(ChildFilter):
    """ChildFilter for the staff ledger page and its export: with no status chosen, exited children are
    left out; ``status=exited`` shows only them and ``status=all`` shows everyone."""

    status = filters.ChoiceFilter(choices=[*Status.choices, (ALL_STATUSES, _("All, including exited"))],
                                  method="filter_status", label=_("Status"))

    def filter_status(self, queryset, name, value):
        return queryset if value == ALL_STATUSES else queryset.filter(status=value)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.exclude(status=Status.EXITED)
        return queryset


class NeedListFilter(filters.FilterSet):
    """The needs page's filters (children.views.boards.need_list), for its Excel export: kind, status
    and region; with no status chosen, the needs still waiting (open or claimed), as the page shows."""

    kind = filters.ChoiceFilter(choices=NeedKind.choices, label=_("Kind"))
    status = filters.ChoiceFilter(choices=NeedStatus.choices, label=_("Status"))
    region = filters.CharFilter(method="filter_region", label=_("Region (with everything below it)"),
                                validators=[validate_region_code])

    class Meta:
        model = Need
        fields = ["kind", "status", "region"]

    def filter_region(self, queryset, name, value):
        return queryset.filter(subtree_q("region", value))

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status__in=WAITING_NEEDS)
        return queryset
