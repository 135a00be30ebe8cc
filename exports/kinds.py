"""The lists that can be exported, each as its page shows it: the same rows (``visible_to`` the
requester), the same filters (the page's own FilterSet or filter form, so a filter means the same on
the page and in the file) and a writer of its own.

========== ======================= ================================ ==========================================
kind       list page               filters (query parameters)       writer
========== ======================= ================================ ==========================================
children   children:list           children.filters.LedgerFilter    children.export.write_ledger
activities activities:list         activities.filters.ActivityFilter activities.export.write_activities
volunteers volunteers:list         volunteers.forms.RosterFilterForm volunteers.export.write_volunteers
pairings   pairing:list            pairing.forms.PairingFilterForm  pairing.export.write_pairings
needs      children:need-list      children.filters.NeedListFilter  children.export.write_needs
audit      accounts:audit-list     accounts.audit_filters            accounts.audit_export.write_audit
                                   .AuditFilterForm
access_    children:detail         children.accesscopy               children.accesscopy.write_access_copy
copy                               .AccessCopyForm (child)           (a PDF: ``make``)
========== ======================= ================================ ==========================================

Every kind is for the federation's staff, leaders and administrators (core.access.READ); ``audit`` for
administrators only (``permission``), like its page.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy
from django_filters import BooleanFilter

from accounts.audit_export import FILENAME_STEM as AUDIT_STEM
from accounts.audit_export import write_audit
from accounts.audit_filters import AuditFilterForm
from accounts.models import AuditEvent, User
from activities.export import FILENAME_STEM as ACTIVITIES_STEM
from activities.export import write_activities
from activities.filters import ActivityFilter
from activities.models import Activity
from children.accesscopy import FILENAME_STEM as ACCESS_COPY_STEM
from children.accesscopy import AccessCopyForm, copy_rows, write_access_copy
from children.export import FILENAME_STEM as CHILDREN_STEM
from children.export import NEEDS_FILENAME_STEM, write_ledger, write_needs
from children.filters import LedgerFilter, NeedListFilter
from children.models import Child, Need
from core.access import EDIT, MANAGE, READ
from core.exports import filter_errors, form_errors
from exports.models import ExportKind
from pairing.export import FILENAME_STEM as PAIRINGS_STEM
from pairing.export import write_pairings
from pairing.forms import PairingFilterForm
from pairing.models import Pairing
from volunteers.export import FILENAME_STEM as VOLUNTEERS_STEM
from volunteers.export import write_volunteers
from volunteers.forms import RosterFilterForm
from volunteers.models import Volunteer


@dataclass(frozen=True)
class Kind:
    kind: ExportKind
    # The list page the export is of (its URL name): the "back" link of the job's page.
    list_url: str
    # The query parameters the page's filters read; others are refused (a 400 naming them).
    parameters: tuple[str, ...]
    # The rows the requester may see, filtered by the (already checked) parameters; raises a
    # ValidationError keyed by parameter when a value is wrong.
    rows: Callable[[User, Mapping[str, str]], QuerySet]
    write: Callable
    # The start of the file's name (Chinese, like the headers).
    filename_stem: str
    # The model of the rows: the target type the audit log records.
    model: type
    # The page's FilterSet or filter form: the labels of the parameters, on the job's page.
    filters_class: type = object
    # The parameters that take true or false (a FilterSet's BooleanFilter reads anything else as "no
    # filter"; the export refuses it instead).
    boolean_parameters: tuple[str, ...] = ()
    # Who may export it (core.access), and what the others are told.
    permission: frozenset = READ
    denied: str = ""
    # A file that is not a sheet of rows: ``make(actor, params)`` → (the file's bytes, the records in it),
    # and its extension; ``write`` is then unused.
    make: Callable | None = None
    extension: str = "xlsx"
    # The audit event's record: the run (an export of a list), or the parameter naming the one record.
    audit_parameter: str = ""

    @property
    def model_label(self) -> str:
        return self.model._meta.label_lower

    def form_field(self, parameter: str):
        """The form field that reads ``parameter`` on the list page (None if there is none)."""
        filters = getattr(self.filters_class, "base_filters", None)
        if filters is not None:
            return filters[parameter].field if parameter in filters else None
        return getattr(self.filters_class, "base_fields", {}).get(parameter)


def _booleans(filterset_class) -> tuple[str, ...]:
    return tuple(name for name, f in filterset_class.base_filters.items() if isinstance(f, BooleanFilter))


def _with_filterset(filterset_class, queryset: QuerySet, params: Mapping[str, str]) -> QuerySet:
    filterset = filterset_class(params, queryset=queryset)
    if not filterset.is_valid():
        raise filter_errors(filterset)
    return filterset.qs


def _children(actor: User, params: Mapping[str, str]) -> QuerySet:
    return _with_filterset(LedgerFilter, Child.objects.visible_to(actor), params)


def _activities(actor: User, params: Mapping[str, str]) -> QuerySet:
    return _with_filterset(ActivityFilter, Activity.objects.visible_to(actor), params)


def _needs(actor: User, params: Mapping[str, str]) -> QuerySet:
    return _with_filterset(NeedListFilter, Need.objects.visible_to(actor).order_by("-opened_on", "-id"), params)


def _volunteers(actor: User, params: Mapping[str, str]) -> QuerySet:
    form = RosterFilterForm(params, actor=actor)
    if not form.is_valid():
        raise form_errors(form)
    return form.filter(Volunteer.objects.visible_to(actor).with_load())


def _pairings(actor: User, params: Mapping[str, str]) -> QuerySet:
    form = PairingFilterForm(params)
    if not form.is_valid():
        raise form_errors(form)
    return form.apply(Pairing.objects.visible_to(actor))


def _audit(actor: User, params: Mapping[str, str]) -> QuerySet:
    form = AuditFilterForm(params)
    if not form.is_valid():
        raise form_errors(form)
    return form.apply(AuditEvent.objects.visible_to(actor))


KINDS: dict[str, Kind] = {kind.kind.value: kind for kind in (
    Kind(ExportKind.CHILDREN, "children:list", tuple(LedgerFilter.base_filters), _children, write_ledger,
         CHILDREN_STEM, Child, LedgerFilter, _booleans(LedgerFilter)),
    Kind(ExportKind.ACTIVITIES, "activities:list", tuple(ActivityFilter.base_filters), _activities,
         write_activities, ACTIVITIES_STEM, Activity, ActivityFilter, _booleans(ActivityFilter)),
    Kind(ExportKind.VOLUNTEERS, "volunteers:list", tuple(RosterFilterForm.base_fields), _volunteers,
         write_volunteers, VOLUNTEERS_STEM, Volunteer, RosterFilterForm),
    Kind(ExportKind.PAIRINGS, "pairing:list", tuple(PairingFilterForm.base_fields), _pairings, write_pairings,
         PAIRINGS_STEM, Pairing, PairingFilterForm),
    Kind(ExportKind.NEEDS, "children:need-list", tuple(NeedListFilter.base_filters), _needs, write_needs,
         NEEDS_FILENAME_STEM, Need, NeedListFilter, _booleans(NeedListFilter)),
    Kind(ExportKind.AUDIT, "accounts:audit-list", tuple(AuditFilterForm.base_fields), _audit, write_audit,
         AUDIT_STEM, AuditEvent, AuditFilterForm, permission=MANAGE,
         denied=gettext_lazy("Only administrators can export the audit log.")),
    Kind(ExportKind.ACCESS_COPY, "children:list", tuple(AccessCopyForm.base_fields), copy_rows, None,
         ACCESS_COPY_STEM, Child, AccessCopyForm, permission=EDIT,
         denied=gettext_lazy("A guardian's access copy is made by federation staff of the child's area."),
         make=write_access_copy, extension="pdf", audit_parameter="child"),
)}
