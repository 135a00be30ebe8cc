"""Reading export runs: a user's own (exports.models.ExportRunQuerySet.visible_to), and a run's filters
as its page shows them."""

from django.db.models import QuerySet

from exports.kinds import KINDS
from exports.models import ExportRun


def exports_of(user) -> QuerySet:
    """The user's exports, newest first, with their region (one query per page)."""
    return ExportRun.objects.visible_to(user).select_related("region").order_by("-created_at", "-id")


def filter_labels(run: ExportRun) -> list[tuple[str, str]]:
    """``[(label, value shown), …]`` of the run's filters: the list page's label of each parameter and,
    for a choice, the choice's label (a code or a date as it was given)."""
    spec = KINDS[run.kind]
    shown = []
    for parameter, value in run.filters.items():
        field = spec.form_field(parameter)
        label = str(getattr(field, "label", None) or parameter)
        choices = {str(key): str(text) for key, text in getattr(field, "choices", None) or () if key != ""}
        shown.append((label, choices.get(value, value)))
    return shown
