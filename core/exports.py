"""What the Excel exports of the list pages share (the jobs themselves: the ``exports`` app).

A list's writer (children.export.write_ledger, activities.export.write_activities …) takes a workbook
(core.xlsx.XlsxWriter), the rows to write (a queryset already scoped to the requester and filtered as on
the list page) and a :data:`RowsWritten` callback it calls after each batch with the number of rows
written so far — the export job's progress. A list's filters, given wrongly, are refused with a
ValidationError keyed by the query parameter (:func:`filter_errors`, :func:`form_errors`): a 400 naming
it, never a 500."""

from collections.abc import Callable

from django.core.exceptions import ValidationError

# Called by a writer after each batch with the number of rows written so far.
RowsWritten = Callable[[int], None]


def filter_errors(filterset) -> ValidationError:
    """A filterset's errors as a ValidationError keyed by field (a 400 naming the field)."""
    return form_errors(filterset.form)


def form_errors(form) -> ValidationError:
    """A (filter) form's errors as a ValidationError keyed by field (a 400 naming the field)."""
    errors = form.errors.get_json_data()
    return ValidationError({field: [e["message"] for e in messages] for field, messages in errors.items()})
