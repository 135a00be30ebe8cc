"""The audit log's filters, read once for the page (accounts.audit_views) and for its Excel export (the
``audit`` export kind): action, user name, a local date range, record and region subtree."""

from datetime import date, datetime, time, timedelta

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import AuditAction
from core.regioncodes import is_valid_code, subtree_q
from core.regions import CODE_MESSAGE

PARAMETERS = ("action", "actor", "since", "until", "record", "region")


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class AuditFilterForm(forms.Form):
    """Each field on its own: a malformed one is an error naming it and filters nothing, the others still
    apply (the page lists with what it could read; an export refuses the request)."""

    action = forms.CharField(label=gettext_lazy("Action"), required=False)
    actor = forms.CharField(label=gettext_lazy("User name"), required=False, max_length=150)
    since = forms.CharField(label=gettext_lazy("From"), required=False)
    until = forms.CharField(label=gettext_lazy("Until"), required=False)
    record = forms.CharField(label=gettext_lazy("Record ID"), required=False, max_length=64)
    region = forms.CharField(label=gettext_lazy("Region"), required=False)

    def clean_action(self) -> str:
        value = self.cleaned_data["action"].strip()
        return value if value in AuditAction.values else ""  # an unknown action: all of them, as the page always did

    def _date(self, name: str) -> date | None:
        raw = self.cleaned_data[name].strip()
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise forms.ValidationError(_("%(field)s: “%(value)s” is not a date (YYYY-MM-DD).") % {
                "field": self.fields[name].label, "value": raw}) from None

    def clean_since(self) -> date | None:
        return self._date("since")

    def clean_until(self) -> date | None:
        return self._date("until")

    def clean_region(self) -> str:
        value = self.cleaned_data["region"].strip()
        if value and not is_valid_code(value):
            raise forms.ValidationError(CODE_MESSAGE)
        return value

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("Until: the end date is before the start date."))
        return cleaned

    def apply(self, events: QuerySet) -> QuerySet:
        """``events`` filtered by every field that was read (call after ``is_valid()``)."""
        values = getattr(self, "cleaned_data", {})
        if values.get("action"):
            events = events.filter(action=values["action"])
        if (actor := (values.get("actor") or "").strip()):
            events = events.filter(actor__username__iexact=actor)
        if values.get("since"):
            events = events.filter(at__gte=_local_midnight(values["since"]))
        if values.get("until"):
            events = events.filter(at__lt=_local_midnight(values["until"] + timedelta(days=1)))
        if (record := (values.get("record") or "").strip()):
            events = events.filter(target_id=record)
        if values.get("region"):
            events = events.filter(subtree_q("region_code", values["region"]))
        return events
