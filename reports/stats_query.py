"""What a look at the statistics is about — a region of the caller's own subtree and a month — checked
one way for the dashboard (reports.views_dashboard) and ``/api/v1/stats/`` (reports.api.stats)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.models import Region
from core import months
from core.regions import chosen_region, validate_code


def stats_query(*, user, region_code: str | None, month: str | None) -> tuple[Region, date]:
    """(region, first day of the month). A ValidationError names every bad field at once: ``region``
    (missing, or not a 12-digit code) and ``month`` (missing, malformed or in the future). A region
    outside the user's own subtree — an ancestor included, whose figures would include other
    counties — or unknown is an Http404. One query."""
    errors: dict[str, list[str]] = {}
    if not (region_code or "").strip():
        errors["region"] = [_("Enter the 12-digit region code.")]
    else:
        try:
            validate_code(region_code)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        first_day = months.parse_month(month)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return chosen_region(user, region_code), first_day
