"""The audit log page: region admins browse who read or changed what in their subtree."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from accounts.models import AuditAction, AuditEvent, Region
from accounts.regioncodes import is_valid_code, subtree_q

PAGE_SIZE = 50
# Known keys of AuditEvent.detail, labelled for people; other keys are shown as they are.
DETAIL_LABELS = {
    "reason": gettext_lazy("Reason"),
    "fields": gettext_lazy("Fields"),
    "from": gettext_lazy("From"),
    "to": gettext_lazy("To"),
    "on": gettext_lazy("Effective on"),
    "color": gettext_lazy("Colour"),
    "need": gettext_lazy("Need"),
    "need_status": gettext_lazy("Need status"),
    "transfer_from": gettext_lazy("Moved from"),
    "transfer_to": gettext_lazy("Moved to"),
    "rows": gettext_lazy("Rows"),
    "filters": gettext_lazy("Filters"),
}
# Detail keys that deserve to stand out (why someone saw a full ID number).
EMPHASISED = {"reason"}


@dataclass(frozen=True)
class DetailItem:
    label: str
    value: str
    emphasised: bool


@cache
def _choice_labels(app_label: str) -> dict:
    """Every choice value of the app's models → its (lazy, translated) label, so a detail such as
    ``{"to": "exited", "reason": "aged_out"}`` reads in words. Built once per app, no queries."""
    labels: dict = {}
    try:
        config = apps.get_app_config(app_label)
    except LookupError:
        return labels
    for model in config.get_models():
        for model_field in model._meta.get_fields():
            for value, label in getattr(model_field, "flatchoices", None) or ():
                labels.setdefault(str(value), label)
    return labels


def _detail_items(detail: dict, target_type: str) -> list[DetailItem]:
    labels = _choice_labels(target_type.partition(".")[0]) if target_type else {}

    def word(value) -> str:
        return str(labels.get(value, value)) if isinstance(value, str) else str(value)

    items = []
    for key, value in (detail or {}).items():
        if isinstance(value, (list, tuple)):
            value = ", ".join(word(v) for v in value)
        elif isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        else:
            value = word(value)
        items.append(DetailItem(label=str(DETAIL_LABELS.get(key, key)), value=value, emphasised=key in EMPHASISED))
    return items


def _parse_date(raw: str, label: str, errors: list[str]) -> date | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors.append(_("%(field)s: “%(value)s” is not a date (YYYY-MM-DD).") % {"field": label, "value": raw})
        return None


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _region_options(user, chosen: str) -> list[tuple[str, str]]:
    """The admin's region and the regions directly below it (one query); a deeper code stays selectable."""
    if user.region_id:
        regions = Region.objects.filter(Q(code=user.region_id) | Q(parent_id=user.region_id))
    else:
        regions = Region.objects.filter(parent__isnull=True)
    options = [(r.code, r.name if r.code == user.region_id else "\u3000" + r.name) for r in regions.order_by("code")]
    if chosen and chosen not in {code for code, _label in options}:
        options.append((chosen, chosen))
    return options


@login_required
@require_safe
def audit_list(request):
    """Audit events in the admin's subtree, newest first, with filters on action, user, dates, record
    and region. Only region admins (and superusers) read the log."""
    user = request.user
    if not user.is_region_admin:
        raise PermissionDenied(_("Only administrators can read the audit log."))
    events = AuditEvent.objects.visible_to(user).select_related("actor")
    errors: list[str] = []
    values = {key: request.GET.get(key, "").strip() for key in ("action", "actor", "since", "until", "record", "region")}

    if values["action"] in AuditAction.values:
        events = events.filter(action=values["action"])
    else:
        values["action"] = ""
    if values["actor"]:
        events = events.filter(actor__username__iexact=values["actor"])
    since = _parse_date(values["since"], _("From"), errors)
    if since:
        events = events.filter(at__gte=_local_midnight(since))
    until = _parse_date(values["until"], _("Until"), errors)
    if until:
        events = events.filter(at__lt=_local_midnight(until + timedelta(days=1)))
    if values["record"]:
        events = events.filter(target_id=values["record"])
    if values["region"]:
        if is_valid_code(values["region"]):
            events = events.filter(subtree_q("region_code", values["region"]))
        else:
            errors.append(_("A region code is 12 digits (统计用区划代码), e.g. 141102000000."))

    # Queries: the count, then one page of events with their actors.
    page = Paginator(events.order_by("-at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    codes = {event.region_code for event in page if event.region_code}
    # Query: the names of the regions on this page (none when the page has no regional events).
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    for event in page:
        event.region_name = names.get(event.region_code, event.region_code)
        event.detail_items = _detail_items(event.detail, event.target_type)
        event.is_child = event.target_type == "children.child" and event.target_id.isdigit()

    return render(request, "accounts/audit_list.html", {
        "page": page,
        "values": values,
        "errors": errors,
        "actions": AuditAction.choices,
        # Query: the regions offered in the filter.
        "region_options": _region_options(user, values["region"] if is_valid_code(values["region"]) else ""),
    })
