"""An export of a list page: the caller's rows, filtered as on the page, written to .xlsx
(core.xlsx) and audited with its filters and row count — the one way every list is exported."""

from collections.abc import Callable, Mapping

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditAction, User
from core.access import READ, check
from core.xlsx import TemporaryXlsx, XlsxWriter, to_temporary_file


def filter_errors(filterset) -> ValidationError:
    """A filterset's errors as a ValidationError keyed by field (a 400 naming the field)."""
    errors = filterset.errors.get_json_data()
    return ValidationError({field: [e["message"] for e in messages] for field, messages in errors.items()})


def filtered_export(*, actor: User, params: Mapping, filterset_class, queryset: QuerySet,
                    write: Callable[[XlsxWriter, QuerySet], int], label: str, filename_stem: str,
                    denied: str) -> TemporaryXlsx:
    """Export ``queryset`` (already scoped to ``actor``) filtered by ``filterset_class`` on ``params``.
    Only federation roles export (else PermissionDenied with ``denied``); invalid filters raise a
    ValidationError naming them. ``write`` fills the workbook and returns the number of rows."""
    check(actor, READ, denied)
    filterset = filterset_class(params, queryset=queryset)
    if not filterset.is_valid():
        raise filter_errors(filterset)
    filters = {name: params.get(name) for name in filterset.filters if params.get(name)}
    export = to_temporary_file(lambda writer: write(writer, filterset.qs))
    audit_record(actor=actor, action=AuditAction.EXPORT, target_type=queryset.model._meta.label_lower,
                 target_label=label, region_code=actor.region_id or "",
                 detail={"format": "xlsx", "filters": filters, "rows": export.rows})
    area = actor.region.name if actor.region_id else _("all regions")
    export.filename = f"{filename_stem}_{area}_{timezone.localdate():%Y%m%d}.xlsx"
    return export
