"""The audit log page: region admins browse who read or changed what in their subtree."""

from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.core.paginator import Paginator
from django.db import models
from django.shortcuts import render
from django.template.defaultfilters import yesno
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from accounts.audit_filters import PARAMETERS, AuditFilterForm
from accounts.models import AuditAction, AuditEvent, Region
from core.access import MANAGE, require
from core.regioncodes import is_valid_code
from core.regions import region_options

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
    # Imports (the region tree, the civil-affairs list): how many records each did what to.
    "created": gettext_lazy("Created"),
    "updated": gettext_lazy("Updated"),
    "skipped": gettext_lazy("Skipped"),
    "file_sha256": gettext_lazy("File fingerprint (SHA-256)"),
    "format": gettext_lazy("Format"),
    "month": gettext_lazy("Month"),
    "tokens_revoked": gettext_lazy("Sign-in tokens revoked"),
    # Two-factor login and sessions (accounts.twofactor, accounts.usersessions).
    "otp": gettext_lazy("Two-factor login"),
    "recovery_codes": gettext_lazy("Recovery codes"),
    "sessions": gettext_lazy("Sessions ended"),
    "user_agent": gettext_lazy("Browser"),
    "ip": gettext_lazy("IP address"),
    "pairing": gettext_lazy("Pairing"),
    "pairing_ended": gettext_lazy("Pairing ended"),
    "pair_card": gettext_lazy("Pair card"),
    "volunteer": gettext_lazy("Caring mother"),
    "role": gettext_lazy("Role"),
    "before": gettext_lazy("Before"),
    "after": gettext_lazy("After"),
    # The list filters an export records (children.filters and the other lists' filtersets).
    "region": gettext_lazy("Region"),
    "status": gettext_lazy("Status"),
    "category": gettext_lazy("Category"),
    "risk_color": gettext_lazy("Risk colour"),
    "paired": gettext_lazy("Has a lead caring mother"),
    "kind": gettext_lazy("Kind"),
    "search": gettext_lazy("Search"),
    "sort": gettext_lazy("Sort"),
}
# Detail keys that deserve to stand out (why someone saw a full ID number).
EMPHASISED = {"reason"}


@dataclass(frozen=True)
class DetailItem:
    label: str
    value: str
    emphasised: bool


@dataclass(frozen=True)
class ChangeItem:
    """One changed field of an event: "label: old → new"."""

    label: str
    old: str
    new: str


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


def key_label(key: str, target_type: str) -> str:
    """The one label of a detail or change key: DETAIL_LABELS, else the audited model's field verbose
    name, else the key itself."""
    if key in DETAIL_LABELS:
        return str(DETAIL_LABELS[key])
    model_field = _model_fields(target_type).get(key) if target_type else None
    return str(model_field.verbose_name) if model_field is not None else key


def _field_label(name: str, target_type: str) -> str:
    """A model field's name in words: its verbose name first (a changed field), else key_label."""
    model_field = _model_fields(target_type).get(name) if target_type else None
    return str(model_field.verbose_name) if model_field is not None else key_label(name, target_type)


def _detail_items(detail: dict, target_type: str) -> list[DetailItem]:
    labels = _choice_labels(target_type.partition(".")[0]) if target_type else {}

    def word(value) -> str:
        if isinstance(value, bool):
            return yesno(value)
        return str(labels.get(value, value)) if isinstance(value, str) else str(value)

    items = []
    for key, value in (detail or {}).items():
        if key == "fields" and isinstance(value, (list, tuple)):  # the names of the fields changed
            value = "、".join(_field_label(v, target_type) if isinstance(v, str) else str(v) for v in value)
        elif isinstance(value, (list, tuple)):
            value = ", ".join(word(v) for v in value)
        elif isinstance(value, dict):
            value = ", ".join(f"{key_label(k, target_type)}={word(v)}" for k, v in value.items())
        else:
            value = word(value)
        items.append(DetailItem(label=key_label(key, target_type), value=value, emphasised=key in EMPHASISED))
    return items


@cache
def _model_fields(target_type: str) -> dict[str, models.Field]:
    """The fields of the audited record's model (``app.model``) by name; empty for an unknown type."""
    try:
        model = apps.get_model(target_type)
    except (LookupError, ValueError):
        return {}
    return {f.name: f for f in model._meta.get_fields() if isinstance(f, models.Field)}


def _pair(values) -> tuple:
    """A change's ``[old, new]`` (audit_record always writes a pair)."""
    return tuple(values) if isinstance(values, (list, tuple)) and len(values) == 2 else (None, values)


def _is_region_field(model_field: models.Field | None) -> bool:
    return isinstance(model_field, models.ForeignKey) and model_field.related_model is Region


def _change_items(changes: dict, target_type: str, region_names: dict[str, str]) -> list[ChangeItem]:
    """``{field: [old, new]}`` in words: the field's verbose name, a choice's label, a region's name,
    yes/no; "—" for nothing. No queries (region names come from the page's one query)."""
    fields = _model_fields(target_type)
    app_labels = _choice_labels(target_type.partition(".")[0]) if target_type else {}

    def word(model_field, value) -> str:
        if value is None or value == "" or value == []:
            return "—"
        if isinstance(value, bool):
            return yesno(value)
        if isinstance(value, (list, tuple)):  # several values (a consent's scopes)
            return "、".join(word(model_field, v) for v in value)
        if isinstance(value, dict):
            return ", ".join(f"{k}={word(None, v)}" for k, v in value.items())
        if _is_region_field(model_field):
            return region_names.get(value, str(value))
        choices = dict(getattr(model_field, "flatchoices", None) or ())
        if model_field is None and isinstance(value, str):  # a key that is no field: the app's choice labels
            return str(app_labels.get(value, value))
        return str(choices.get(value, value))

    items = []
    for name, values in (changes or {}).items():
        old, new = _pair(values)
        model_field = fields.get(name)
        label = _field_label(name, target_type)
        items.append(ChangeItem(label=label, old=word(model_field, old), new=word(model_field, new)))
    return items


def _changed_region_codes(event: AuditEvent) -> set[str]:
    """The region codes among an event's changes (a user moved, a region's parent), to name them."""
    fields = _model_fields(event.target_type) if event.changes else {}
    return {value for name, values in (event.changes or {}).items() if _is_region_field(fields.get(name))
            for value in _pair(values) if isinstance(value, str) and value}


@require(MANAGE, gettext_lazy("Only administrators can read the audit log."))
@require_safe
def audit_list(request):
    """Audit events in the admin's subtree, newest first, with filters on action, user, dates, record
    and region. Only region admins (and superusers) read the log."""
    user = request.user
    form = AuditFilterForm(request.GET)
    form.is_valid()
    errors = [message for messages in form.errors.values() for message in messages]
    values = {key: request.GET.get(key, "").strip() for key in PARAMETERS}
    if values["action"] not in AuditAction.values:
        values["action"] = ""
    events = form.apply(AuditEvent.objects.visible_to(user).select_related("actor"))

    # Queries: the count, then one page of events with their actors.
    page = Paginator(events.order_by("-at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    codes = {event.region_code for event in page if event.region_code}
    codes |= {code for event in page for code in _changed_region_codes(event)}
    # Query: the names of the regions on this page — where events happened and where users were moved
    # (none when the page names no region).
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    for event in page:
        event.region_name = names.get(event.region_code, event.region_code)
        event.detail_items = _detail_items(event.detail, event.target_type)
        event.change_items = _change_items(event.changes, event.target_type, names)
        event.is_child = event.target_type == "children.child" and event.target_id.isdigit()

    return render(request, "accounts/audit_list.html", {
        "page": page,
        "values": values,
        "errors": errors,
        "actions": AuditAction.choices,
        # Query: the regions offered in the filter.
        "region_options": region_options(user, depth=2,
                                         selected=values["region"] if is_valid_code(values["region"]) else ""),
    })
